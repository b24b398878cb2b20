namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>st_mode file types and special bits (sys/stat.h), and the open/lock/seek constants handlers meet.</summary>
internal static class FileModes
{
    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;
    public const uint S_ISUID = 0x800, S_ISGID = 0x400, S_ISVTX = 0x200;
    public const uint PermissionBits = 0xFFF;

    public static bool IsDirectory(uint mode) => (mode & S_IFMT) == S_IFDIR;
    public static bool IsRegular(uint mode) => (mode & S_IFMT) == S_IFREG;
    public static bool IsSymlink(uint mode) => (mode & S_IFMT) == S_IFLNK;

    /// <summary>The DT_* type of a directory entry for <paramref name="mode"/>.</summary>
    public static uint DirentType(uint mode) => (mode & S_IFMT) >> 12;
}

/// <summary>open(2) flags, access(2) masks, lock types, lseek whence values and fallocate modes (x86_64 Linux).</summary>
internal static class OpenFlags
{
    public const int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80,
        O_NOCTTY = 0x100, O_TRUNC = 0x200, O_APPEND = 0x400, O_NONBLOCK = 0x800, O_DIRECT = 0x4000,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_NOATIME = 0x40000;
    public const int R_OK = 4, W_OK = 2, X_OK = 1, F_OK = 0;
    public const uint F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    public const int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
    public const int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_COLLAPSE_RANGE = 8,
        FALLOC_FL_ZERO_RANGE = 0x10, FALLOC_FL_INSERT_RANGE = 0x20, FALLOC_FL_UNSHARE_RANGE = 0x40;
    public const int XATTR_CREATE = 1, XATTR_REPLACE = 2;
}
