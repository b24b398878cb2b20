using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// libcephfs results → the errno the kernel gets, as ceph-fuse's <c>get_sys_errno</c> does: codes a file system
/// may return pass through, Ceph's own ones are translated (EBLOCKLISTED → ESHUTDOWN, EOLDSNAPC → EIO) and
/// anything unknown becomes EIO so no Ceph-internal number ever reaches an application.
/// </summary>
internal static class CephErrno
{
    private const int EOLDSNAPC = 85; // Ceph's "old snap context" (ERESTART's number on Linux)
    private const int EDOM = 33, ENOTRECOVERABLE = 131, ENOKEY = 126, EMSGSIZE = 90;

    private static readonly bool[] PassThrough = Build();

    /// <summary>The positive errno for a negative libcephfs result (0 stays 0).</summary>
    public static int ToFuse(int cephResult)
    {
        if (cephResult >= 0)
            return 0;
        int errno = -cephResult;
        if (errno == EOLDSNAPC)
            return EIO;
        return (uint)errno < (uint)PassThrough.Length && PassThrough[errno] ? errno : EIO;
    }

    /// <summary><see cref="ToFuse(int)"/> for 64-bit results (readv/writev/lseek).</summary>
    public static int ToFuse(long cephResult) => cephResult >= 0 ? 0 : ToFuse(cephResult < int.MinValue ? -EIO : (int)cephResult);

    private static bool[] Build()
    {
        var table = new bool[140];
        // ceph-fuse's table (fuse_ll.cc cephfs_errno_to_system_errno); EBLOCKLISTED is ESHUTDOWN on Linux.
        foreach (int errno in new[]
        {
            ESHUTDOWN, EPERM, ESTALE, ENOSPC, ETIMEDOUT, EIO, ENOTCONN, EEXIST, EINTR, EINVAL, EBADF, EROFS, EAGAIN,
            EACCES, ELOOP, EISDIR, ENOENT, ENOTDIR, ENAMETOOLONG, EBUSY, EDQUOT, EFBIG, ERANGE, ENXIO, ECANCELED,
            ENODATA, EOPNOTSUPP, EXDEV, ENOMEM, ENOTRECOVERABLE, ENOSYS, ENOTEMPTY, EDEADLK, EDOM, EMLINK, ETIME,
            ENOKEY,
            // Not in ceph-fuse's table, but real answers of Client.cc a caller must see as they are
            // (setxattr of a too large value, lock table full, sizes past 2^63, ioctls).
            E2BIG, ENOLCK, EOVERFLOW, ENOTTY, EMSGSIZE, ESPIPE,
        })
        {
            table[errno] = true;
        }
        return table;
    }
}
