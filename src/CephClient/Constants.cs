using System.Diagnostics.CodeAnalysis;

namespace ManagedCephFuse.CephClient;

/// <summary><c>CEPH_STATX_*</c>: which <see cref="CephStatx"/> fields to fetch (want) or were filled (stx_mask).</summary>
[Flags]
public enum StatxMask : uint
{
    None = 0,
    Mode = 0x1,
    NLink = 0x2,
    Uid = 0x4,
    Gid = 0x8,
    RDev = 0x10,
    ATime = 0x20,
    MTime = 0x40,
    CTime = 0x80,
    Ino = 0x100,
    Size = 0x200,
    Blocks = 0x400,
    /// <summary>CEPH_STATX_BASIC_STATS: everything <c>struct stat</c> has.</summary>
    BasicStats = 0x7ff,
    BTime = 0x800,
    Version = 0x1000,
    /// <summary>CEPH_STATX_ALL_STATS.</summary>
    AllStats = 0x1fff,
}

/// <summary><c>AT_*</c> flags the ll attribute calls accept (CEPH_REQ_FLAG_MASK).</summary>
[Flags]
[SuppressMessage("Naming", "CA1711", Justification = "named after the C flag set it mirrors")]
public enum AtFlags : uint
{
    None = 0,
    /// <summary>AT_SYMLINK_NOFOLLOW (ceph_ll_walk: do not follow a final symlink).</summary>
    SymlinkNoFollow = 0x100,
    /// <summary>AT_STATX_FORCE_SYNC.</summary>
    StatxForceSync = 0x2000,
    /// <summary>AT_STATX_DONT_SYNC: answer from the client's cache, never ask the MDS.</summary>
    StatxDontSync = 0x4000,
}

/// <summary><c>CEPH_SETATTR_*</c>: which <see cref="CephStatx"/> fields <c>ceph_ll_setattr</c> applies.</summary>
[Flags]
public enum SetAttrMask
{
    None = 0,
    Mode = 1 << 0,
    Uid = 1 << 1,
    Gid = 1 << 2,
    MTime = 1 << 3,
    ATime = 1 << 4,
    Size = 1 << 5,
    CTime = 1 << 6,
    /// <summary>Set mtime to the current time. Pacific's client ignores this bit; <see cref="CephLowLevel.SetAttr"/>
    /// fills stx_mtime with the time and adds <see cref="MTime"/>.</summary>
    MTimeNow = 1 << 7,
    /// <summary>Set atime to the current time (handled like <see cref="MTimeNow"/>).</summary>
    ATimeNow = 1 << 8,
    BTime = 1 << 9,
    /// <summary>Clear setuid/setgid (what a write by a non-owner does).</summary>
    KillSguid = 1 << 10,
    /// <summary>Declared by the header; Pacific's client has no fscrypt support.</summary>
    FscryptAuth = 1 << 11,
    /// <summary>Declared by the header; Pacific's client has no fscrypt support.</summary>
    FscryptFile = 1 << 12,
    KillSuid = 1 << 13,
    KillSgid = 1 << 14,
}

/// <summary>Linux x86-64 <c>O_*</c> open flags, as <c>ceph_ll_open</c>/<c>ceph_ll_create</c> take them.</summary>
[Flags]
[SuppressMessage("Naming", "CA1711", Justification = "named after the C flag set it mirrors")]
public enum OpenFlags
{
    ReadOnly = 0,
    WriteOnly = 0x1,
    ReadWrite = 0x2,
    /// <summary>O_ACCMODE.</summary>
    AccessMask = 0x3,
    Create = 0x40,
    Exclusive = 0x80,
    NoCtty = 0x100,
    Truncate = 0x200,
    Append = 0x400,
    NonBlock = 0x800,
    DSync = 0x1000,
    Direct = 0x4000,
    /// <summary>The kernel's O_LARGEFILE (glibc defines it as 0 on x86-64; FUSE passes the kernel bit).</summary>
    LargeFile = 0x8000,
    Directory = 0x10000,
    NoFollow = 0x20000,
    NoAtime = 0x40000,
    CloseOnExec = 0x80000,
    /// <summary>O_SYNC (includes O_DSYNC).</summary>
    Sync = 0x101000,
}

/// <summary><c>FALLOC_FL_*</c> modes for <c>ceph_ll_fallocate</c>.</summary>
[Flags]
public enum FallocateMode
{
    /// <summary>Allocate, growing the file size if the range passes the end.</summary>
    Allocate = 0,
    /// <summary>FALLOC_FL_KEEP_SIZE.</summary>
    KeepSize = 0x1,
    /// <summary>FALLOC_FL_PUNCH_HOLE (must be combined with KeepSize).</summary>
    PunchHole = 0x2,
}

/// <summary><c>XATTR_CREATE</c>/<c>XATTR_REPLACE</c> for <c>ceph_ll_setxattr</c>.</summary>
[Flags]
[SuppressMessage("Naming", "CA1711", Justification = "named after the C flag set it mirrors")]
public enum XattrFlags
{
    /// <summary>Create or replace.</summary>
    None = 0,
    /// <summary>XATTR_CREATE: fail with EEXIST if it exists.</summary>
    Create = 0x1,
    /// <summary>XATTR_REPLACE: fail with ENODATA if it does not exist.</summary>
    Replace = 0x2,
}

/// <summary><c>F_RDLCK</c>/<c>F_WRLCK</c>/<c>F_UNLCK</c> (x86-64 values) for <see cref="Flock.Type"/>.</summary>
public enum LockType : short
{
    Read = 0,
    Write = 1,
    Unlock = 2,
}

/// <summary><c>SEEK_*</c>, including SEEK_DATA/SEEK_HOLE, for <c>ceph_ll_lseek</c> and <see cref="Flock.Whence"/>.</summary>
public enum SeekWhence
{
    Set = 0,
    Current = 1,
    End = 2,
    Data = 3,
    Hole = 4,
}

/// <summary><c>DT_*</c> values of <see cref="Dirent.Type"/>.</summary>
public enum DirentType : byte
{
    Unknown = 0,
    Fifo = 1,
    CharDevice = 2,
    Directory = 4,
    BlockDevice = 6,
    Regular = 8,
    Symlink = 10,
    Socket = 12,
}

/// <summary>File type bits of a mode (<c>S_IF*</c>).</summary>
public static class UnixMode
{
    public const uint TypeMask = 0xF000;
    public const uint Socket = 0xC000;
    public const uint Symlink = 0xA000;
    public const uint Regular = 0x8000;
    public const uint BlockDevice = 0x6000;
    public const uint Directory = 0x4000;
    public const uint CharDevice = 0x2000;
    public const uint Fifo = 0x1000;
    /// <summary>Permission and setuid/setgid/sticky bits (07777).</summary>
    public const uint PermissionMask = 0xFFF;

    public static bool IsDirectory(uint mode) => (mode & TypeMask) == Directory;
    public static bool IsRegular(uint mode) => (mode & TypeMask) == Regular;
    public static bool IsSymlink(uint mode) => (mode & TypeMask) == Symlink;
}

/// <summary>Ceph's special inode numbers and snapshot ids.</summary>
public static class CephSnap
{
    /// <summary>CEPH_NOSNAP: the live file system (not a snapshot).</summary>
    public const ulong NoSnap = unchecked((ulong)-2);

    /// <summary>CEPH_SNAPDIR: the virtual <c>.snap</c> directory.</summary>
    public const ulong SnapDir = unchecked((ulong)-1);

    /// <summary>CEPH_INO_ROOT: the file system's root directory.</summary>
    public const ulong RootIno = 1;
}
