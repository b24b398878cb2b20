using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// glibc's <c>struct dirent</c> on x86-64 with 64-bit offsets (280 bytes), filled by <c>ceph_readdirplus_r</c>.
/// Keep it in a caller-owned buffer (a local or a pooled array) and read <see cref="Name"/> through a ref.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Dirent
{
    /// <summary>Capacity of d_name including its terminating NUL.</summary>
    public const int NameCapacity = 256;

    /// <summary>d_ino.</summary>
    public ulong Ino;
    /// <summary>d_off: libcephfs's directory offset of the NEXT entry (what telldir returns after this one).</summary>
    public long Offset;
    /// <summary>d_reclen.</summary>
    public ushort RecordLength;
    /// <summary>d_type: <see cref="DirentType"/>.</summary>
    public byte Type;
    private fixed byte _name[NameCapacity]; // d_name

    /// <summary>d_name without its terminating NUL.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Name
    {
        get
        {
            var all = MemoryMarshal.CreateReadOnlySpan(ref _name[0], NameCapacity);
            int end = all.IndexOf((byte)0);
            return end < 0 ? all : all[..end];
        }
    }

    /// <summary>d_name including its terminating NUL (for passing straight to another ll call).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> NameWithNul
    {
        get
        {
            var all = MemoryMarshal.CreateReadOnlySpan(ref _name[0], NameCapacity);
            int end = all.IndexOf((byte)0);
            return end < 0 ? all : all[..(end + 1)];
        }
    }

    /// <summary><see cref="Type"/> as <see cref="DirentType"/>.</summary>
    public readonly DirentType EntryType => (DirentType)Type;
}
