using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>Linux errno values used across the project, their names and messages.</summary>
public static partial class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9,
        ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
        ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27,
        ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, EDEADLK = 35,
        ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, ETIME = 62,
        EOVERFLOW = 75, EOPNOTSUPP = 95, ENOTSUP = 95, EADDRINUSE = 98, ECONNABORTED = 103,
        ECONNRESET = 104, ENOBUFS = 105, ENOTCONN = 107, ESHUTDOWN = 108, ETIMEDOUT = 110,
        ECONNREFUSED = 111, ESTALE = 116, EDQUOT = 122, ECANCELED = 125, EKEYREJECTED = 129;

    /// <summary>Ceph's own "client was blocklisted" code (EBLOCKLISTED = ESHUTDOWN on Linux in Ceph).</summary>
    public const int EBLOCKLISTED = ESHUTDOWN;

    /// <summary>libcephfs's own codes from ceph_init/ceph_mount (CEPHFS_ERROR_MON_MAP_BUILD, _NEW_CLIENT,
    /// _MESSENGER_START in libcephfs.h), returned negated like an errno.</summary>
    public const int CephFsMonMapBuild = 1000, CephFsNewClient = 1002, CephFsMessengerStart = 1003;

    private static readonly string[] Names = BuildNames();

    /// <summary>The symbolic name, e.g. <c>ENOENT</c>; <c>errno N</c> for values without one here.</summary>
    public static string Name(int errno) => errno switch
    {
        CephFsMonMapBuild => "CEPHFS_ERROR_MON_MAP_BUILD",
        CephFsNewClient => "CEPHFS_ERROR_NEW_CLIENT",
        CephFsMessengerStart => "CEPHFS_ERROR_MESSENGER_START",
        _ => (uint)errno < (uint)Names.Length && Names[errno] is { } name ? name : $"errno {errno}",
    };

    /// <summary>The C library's message for <paramref name="errno"/> (strerror).</summary>
    public static string Message(int errno)
    {
        switch (errno)
        {
            case CephFsMonMapBuild: return "cannot build the initial monitor map";
            case CephFsNewClient: return "cannot create the file system client";
            case CephFsMessengerStart: return "cannot start the messenger";
        }
        nint text = StrError(errno);
        return text == 0 ? $"errno {errno}" : Marshal.PtrToStringUTF8(text) ?? $"errno {errno}";
    }

    private static string[] BuildNames()
    {
        var names = new string[134];
        void Set(int value, string name) => names[value] ??= name;
        Set(EPERM, "EPERM"); Set(ENOENT, "ENOENT"); Set(ESRCH, "ESRCH"); Set(EINTR, "EINTR"); Set(EIO, "EIO");
        Set(ENXIO, "ENXIO"); Set(E2BIG, "E2BIG"); Set(EBADF, "EBADF"); Set(ECHILD, "ECHILD"); Set(EAGAIN, "EAGAIN");
        Set(ENOMEM, "ENOMEM"); Set(EACCES, "EACCES"); Set(EFAULT, "EFAULT"); Set(EBUSY, "EBUSY");
        Set(EEXIST, "EEXIST"); Set(EXDEV, "EXDEV"); Set(ENODEV, "ENODEV"); Set(ENOTDIR, "ENOTDIR");
        Set(EISDIR, "EISDIR"); Set(EINVAL, "EINVAL"); Set(ENFILE, "ENFILE"); Set(EMFILE, "EMFILE");
        Set(ENOTTY, "ENOTTY"); Set(EFBIG, "EFBIG"); Set(ENOSPC, "ENOSPC"); Set(ESPIPE, "ESPIPE");
        Set(EROFS, "EROFS"); Set(EMLINK, "EMLINK"); Set(EPIPE, "EPIPE"); Set(ERANGE, "ERANGE");
        Set(EDEADLK, "EDEADLK"); Set(ENAMETOOLONG, "ENAMETOOLONG"); Set(ENOLCK, "ENOLCK"); Set(ENOSYS, "ENOSYS");
        Set(ENOTEMPTY, "ENOTEMPTY"); Set(ELOOP, "ELOOP"); Set(ENODATA, "ENODATA"); Set(ETIME, "ETIME");
        Set(EOVERFLOW, "EOVERFLOW"); Set(EOPNOTSUPP, "EOPNOTSUPP"); Set(EADDRINUSE, "EADDRINUSE");
        Set(ECONNABORTED, "ECONNABORTED"); Set(ECONNRESET, "ECONNRESET"); Set(ENOBUFS, "ENOBUFS");
        Set(ENOTCONN, "ENOTCONN"); Set(ESHUTDOWN, "ESHUTDOWN"); Set(ETIMEDOUT, "ETIMEDOUT");
        Set(ECONNREFUSED, "ECONNREFUSED"); Set(ESTALE, "ESTALE"); Set(EDQUOT, "EDQUOT");
        Set(ECANCELED, "ECANCELED"); Set(EKEYREJECTED, "EKEYREJECTED");
        return names;
    }

    // char *strerror(int errnum);  (the returned text is static; glibc's is thread-safe for known values)
    [LibraryImport("libc.so.6", EntryPoint = "strerror")]
    private static partial nint StrError(int errnum);
}
