using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// glibc's <c>struct statvfs</c> on x86-64 (112 bytes), as <c>ceph_statfs</c>/<c>ceph_ll_statfs</c> fill it.
/// Under a quota root (and <c>client_quota_df</c> on, the default) the sizes are the quota's.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct StatVfs
{
    /// <summary>f_bsize: file system block size.</summary>
    public ulong BlockSize;
    /// <summary>f_frsize: fragment size, the unit of the block counts.</summary>
    public ulong FragmentSize;
    /// <summary>f_blocks: size in <see cref="FragmentSize"/> units.</summary>
    public ulong Blocks;
    /// <summary>f_bfree.</summary>
    public ulong BlocksFree;
    /// <summary>f_bavail: free blocks for unprivileged users.</summary>
    public ulong BlocksAvailable;
    /// <summary>f_files: inodes.</summary>
    public ulong Files;
    /// <summary>f_ffree.</summary>
    public ulong FilesFree;
    /// <summary>f_favail.</summary>
    public ulong FilesAvailable;
    /// <summary>f_fsid.</summary>
    public ulong FsId;
    /// <summary>f_flag: ST_* mount flags.</summary>
    public ulong Flags;
    /// <summary>f_namemax: longest file name.</summary>
    public ulong NameMax;
    private fixed int _spare[6]; // __f_spare

    /// <summary>Total size in bytes (<c>f_blocks * f_frsize</c>).</summary>
    public readonly ulong TotalBytes => Blocks * FragmentSize;

    /// <summary>Free bytes (<c>f_bfree * f_frsize</c>).</summary>
    public readonly ulong FreeBytes => BlocksFree * FragmentSize;
}
