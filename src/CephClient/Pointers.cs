using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// A raw <c>Inode*</c> of one mount, for the hot path. Owning nothing: whoever got it from a call that returns
/// a reference (see <see cref="CephLowLevel"/>) must give that reference back with Put/Forget.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct InodePtr : IEquatable<InodePtr>
{
    public readonly nint Value;

    public InodePtr(nint value) => Value = value;

    public bool IsNull => Value == 0;
    public bool Equals(InodePtr other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is InodePtr other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public static bool operator ==(InodePtr left, InodePtr right) => left.Value == right.Value;
    public static bool operator !=(InodePtr left, InodePtr right) => left.Value != right.Value;
    public override string ToString() => $"Inode*0x{Value:x}";
}

/// <summary>A raw <c>Fh*</c> (an open file of one mount), closed with <see cref="CephLowLevel.Close"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct FhPtr : IEquatable<FhPtr>
{
    public readonly nint Value;

    public FhPtr(nint value) => Value = value;

    public bool IsNull => Value == 0;
    public bool Equals(FhPtr other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is FhPtr other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public static bool operator ==(FhPtr left, FhPtr right) => left.Value == right.Value;
    public static bool operator !=(FhPtr left, FhPtr right) => left.Value != right.Value;
    public override string ToString() => $"Fh*0x{Value:x}";
}

/// <summary>A raw <c>ceph_dir_result*</c> (an open directory), released with <see cref="CephLowLevel.ReleaseDir"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct DirPtr : IEquatable<DirPtr>
{
    public readonly nint Value;

    public DirPtr(nint value) => Value = value;

    public bool IsNull => Value == 0;
    public bool Equals(DirPtr other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is DirPtr other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public static bool operator ==(DirPtr left, DirPtr right) => left.Value == right.Value;
    public static bool operator !=(DirPtr left, DirPtr right) => left.Value != right.Value;
    public override string ToString() => $"ceph_dir_result*0x{Value:x}";
}

/// <summary>
/// A raw <c>UserPerm*</c>: the credentials a call acts with. Not tied to a mount. Either owned by a
/// <see cref="UserPerm"/>, made by <see cref="Create(uint, uint)"/> and given back with <see cref="Destroy"/>,
/// or the mount's own (<see cref="CephMount.DefaultPerms"/>, never destroyed).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct UserPermPtr : IEquatable<UserPermPtr>
{
    public readonly nint Value;

    public UserPermPtr(nint value) => Value = value;

    public bool IsNull => Value == 0;

    /// <summary>
    /// ceph_userperm_new without supplementary groups: one small native allocation, no managed one.
    /// Destroy it with <see cref="Destroy"/>. Returns a null pointer when out of memory.
    /// </summary>
    public static unsafe UserPermPtr Create(uint uid, uint gid) => Native.LibCephFs.ceph_userperm_new(uid, gid, 0, null);

    /// <summary>
    /// ceph_userperm_new with supplementary groups. libcephfs keeps <paramref name="groups"/> without copying it:
    /// that memory (native or pinned) must stay valid and unchanged until <see cref="Destroy"/>.
    /// </summary>
    public static unsafe UserPermPtr Create(uint uid, uint gid, int groupCount, uint* groups) =>
        Native.LibCephFs.ceph_userperm_new(uid, gid, groupCount, groups);

    /// <summary>ceph_userperm_destroy, for a pointer made by <see cref="Create(uint, uint)"/>.</summary>
    public void Destroy()
    {
        if (Value != 0)
            Native.LibCephFs.ceph_userperm_destroy(this);
    }

    public bool Equals(UserPermPtr other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is UserPermPtr other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public static bool operator ==(UserPermPtr left, UserPermPtr right) => left.Value == right.Value;
    public static bool operator !=(UserPermPtr left, UserPermPtr right) => left.Value != right.Value;
    public override string ToString() => $"UserPerm*0x{Value:x}";
}
