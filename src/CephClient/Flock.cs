using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// <c>struct flock</c> on x86-64 with 64-bit offsets (32 bytes), for <c>ceph_ll_getlk</c>/<c>ceph_ll_setlk</c>.
/// A length of 0 means "to the end of the file".
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Flock
{
    /// <summary>l_type: <see cref="LockType"/>.</summary>
    public short Type;
    /// <summary>l_whence: <see cref="SeekWhence"/> the start is relative to (libcephfs expects SEEK_SET).</summary>
    public short Whence;
    /// <summary>l_start.</summary>
    public long Start;
    /// <summary>l_len: 0 = to end of file.</summary>
    public long Length;
    /// <summary>l_pid: the locking process (reported back by getlk for a conflicting lock).</summary>
    public int Pid;

    /// <summary>A lock request for [start, start+length) from the beginning of the file.</summary>
    public static Flock Create(LockType type, long start = 0, long length = 0, int pid = 0) =>
        new() { Type = (short)type, Whence = (short)SeekWhence.Set, Start = start, Length = length, Pid = pid };

    /// <summary><see cref="Type"/> as <see cref="LockType"/>.</summary>
    public readonly LockType LockType => (LockType)Type;
}
