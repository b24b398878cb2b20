using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// <c>vinodeno_t</c>: an inode number and the snapshot it belongs to (<see cref="CephSnap.NoSnap"/> for the live
/// file system, <see cref="CephSnap.SnapDir"/> for a <c>.snap</c> directory). Passed by value like the C struct.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct VInodeNo : IEquatable<VInodeNo>
{
    /// <summary>ino.val.</summary>
    public readonly ulong Ino;
    /// <summary>snapid.val.</summary>
    public readonly ulong SnapId;

    public VInodeNo(ulong ino, ulong snapId)
    {
        Ino = ino;
        SnapId = snapId;
    }

    /// <summary>The live (non-snapshot) inode <paramref name="ino"/>.</summary>
    public static VInodeNo Head(ulong ino) => new(ino, CephSnap.NoSnap);

    /// <summary>True for an inode of the live file system.</summary>
    public bool IsHead => SnapId == CephSnap.NoSnap;

    public bool Equals(VInodeNo other) => Ino == other.Ino && SnapId == other.SnapId;
    public override bool Equals(object? obj) => obj is VInodeNo other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Ino, SnapId);
    public static bool operator ==(VInodeNo left, VInodeNo right) => left.Equals(right);
    public static bool operator !=(VInodeNo left, VInodeNo right) => !left.Equals(right);

    public override string ToString() => SnapId switch
    {
        CephSnap.NoSnap => $"0x{Ino:x}",
        CephSnap.SnapDir => $"0x{Ino:x}.snapdir",
        _ => $"0x{Ino:x}@{SnapId}",
    };
}
