using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// <c>struct ceph_statx</c> (cephfs/ceph_ll_client.h), 136 bytes on x86-64. Which fields are valid is
/// <see cref="Mask"/>: libcephfs fills what was asked for in the <c>want</c> mask (and sometimes more).
/// <see cref="Dev"/> carries the snapshot id (<see cref="CephSnap.NoSnap"/> for live inodes), as ceph-fuse uses it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CephStatx
{
    /// <summary>stx_mask: which fields below are valid.</summary>
    public StatxMask Mask;
    /// <summary>stx_blksize: preferred I/O size (the file's stripe unit for CephFS).</summary>
    public uint BlockSize;
    /// <summary>stx_nlink.</summary>
    public uint NLink;
    /// <summary>stx_uid.</summary>
    public uint Uid;
    /// <summary>stx_gid.</summary>
    public uint Gid;
    /// <summary>stx_mode: file type and permission bits (<see cref="UnixMode"/>).</summary>
    public ushort Mode;
    /// <summary>stx_ino.</summary>
    public ulong Ino;
    /// <summary>stx_size.</summary>
    public ulong Size;
    /// <summary>stx_blocks: 512-byte blocks.</summary>
    public ulong Blocks;
    /// <summary>stx_dev: for CephFS the inode's snapshot id.</summary>
    public ulong Dev;
    /// <summary>stx_rdev: device number of a device node.</summary>
    public ulong RDev;
    /// <summary>stx_atime.</summary>
    public Timespec ATime;
    /// <summary>stx_ctime.</summary>
    public Timespec CTime;
    /// <summary>stx_mtime.</summary>
    public Timespec MTime;
    /// <summary>stx_btime: creation time.</summary>
    public Timespec BTime;
    /// <summary>stx_version: the inode's change attribute.</summary>
    public ulong Version;

    /// <summary>The (inode number, snapshot id) pair this statx describes.</summary>
    public readonly VInodeNo VInode => new(Ino, Dev);

    /// <summary>The file type bits of <see cref="Mode"/> (<c>S_IFMT</c>).</summary>
    public readonly uint FileType => Mode & UnixMode.TypeMask;
}

/// <summary><c>struct timespec</c> on x86-64: seconds and nanoseconds since the Unix epoch.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Timespec : IEquatable<Timespec>
{
    /// <summary>tv_sec.</summary>
    public long Seconds;
    /// <summary>tv_nsec.</summary>
    public long Nanoseconds;

    public Timespec(long seconds, long nanoseconds)
    {
        Seconds = seconds;
        Nanoseconds = nanoseconds;
    }

    /// <summary>The current time (100 ns resolution).</summary>
    public static Timespec Now => FromDateTimeOffset(DateTimeOffset.UtcNow);

    public static Timespec FromDateTimeOffset(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return new Timespec(seconds, rest * 100);
    }

    /// <summary>The time, truncated to the 100 ns resolution of <see cref="DateTimeOffset"/>.</summary>
    public readonly DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(Seconds * TimeSpan.TicksPerSecond + Nanoseconds / 100);

    public readonly bool Equals(Timespec other) => Seconds == other.Seconds && Nanoseconds == other.Nanoseconds;
    public override readonly bool Equals(object? obj) => obj is Timespec other && Equals(other);
    public override readonly int GetHashCode() => HashCode.Combine(Seconds, Nanoseconds);
    public static bool operator ==(Timespec left, Timespec right) => left.Equals(right);
    public static bool operator !=(Timespec left, Timespec right) => !left.Equals(right);
    public override readonly string ToString() => $"{Seconds}.{Nanoseconds:D9}";
}
