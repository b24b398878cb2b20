namespace ManagedCephFuse.FuseFs.Kernel.Abi;

// The FUSE kernel ABI, mirrored from the kernel's include/uapi/linux/fuse.h at protocol 7.45 (Linux 6.18).
// Naming rule for the whole Abi folder: the kernel's name without its FUSE_/FATTR_/FOPEN_ prefix, in C# case
// (FUSE_ASYNC_READ → FuseInitFlags.AsyncRead, struct fuse_entry_out → FuseEntryOut, entry_valid_nsec →
// EntryValidNsec). Lower-casing a C# field name and dropping underscores from the kernel's gives the same text;
// the layout test relies on that. "(7.NN)" marks what the local 7.38 header does not have yet.

/// <summary>Protocol version numbers and fixed values of the FUSE kernel interface.</summary>
internal static class FuseProtocol
{
    /// <summary>FUSE_KERNEL_VERSION: the major version we speak.</summary>
    public const uint KernelVersion = 7;

    /// <summary>FUSE_KERNEL_MINOR_VERSION: the newest minor we know; the session uses min(kernel, this).</summary>
    public const uint KernelMinorVersion = 45;

    /// <summary>The oldest minor we accept (7.31: kernel 5.8, time_gran/max_pages/init_out of 64 bytes exist).</summary>
    public const uint MinimumMinorVersion = 31;

    /// <summary>FUSE_ROOT_ID: the node ID of the root inode.</summary>
    public const ulong RootId = 1;

    /// <summary>FUSE_MIN_READ_BUFFER: a read() on /dev/fuse needs a buffer at least this large.</summary>
    public const int MinReadBuffer = 8192;

    /// <summary>FUSE_COMPAT_ENTRY_OUT_SIZE, FUSE_COMPAT_ATTR_OUT_SIZE, … (kept for older minors).</summary>
    public const int CompatEntryOutSize = 120, CompatAttrOutSize = 96, CompatMknodInSize = 8, CompatWriteInSize = 24,
        CompatStatfsSize = 48, CompatSetxattrInSize = 8, CompatInitOutSize = 8, Compat22InitOutSize = 24;

    /// <summary>FUSE_IOCTL_MAX_IOV: the maximum of in_iovecs + out_iovecs.</summary>
    public const int IoctlMaxIov = 256;

    /// <summary>CUSE_INIT_INFO_MAX.</summary>
    public const int CuseInitInfoMax = 4096;

    /// <summary>FUSE_DEV_IOC_CLONE = _IOR(229, 0, uint32_t): bind a new /dev/fuse fd to an existing connection.</summary>
    public const uint DevIocClone = 0x8004E500;

    /// <summary>FUSE_DEV_IOC_BACKING_OPEN = _IOW(229, 1, struct fuse_backing_map) (7.40).</summary>
    public const uint DevIocBackingOpen = 0x4010E501;

    /// <summary>FUSE_DEV_IOC_BACKING_CLOSE = _IOW(229, 2, uint32_t) (7.40).</summary>
    public const uint DevIocBackingClose = 0x4004E502;

    /// <summary>FUSE_REC_ALIGN / FUSE_DIRENT_ALIGN: records in READDIR replies are 8-byte aligned.</summary>
    public static int DirentAlign(int length) => (length + 7) & ~7;
}

/// <summary>enum fuse_opcode.</summary>
internal enum FuseOpcode : uint
{
    Lookup = 1,
    Forget = 2, // no reply
    GetAttr = 3,
    SetAttr = 4,
    ReadLink = 5,
    Symlink = 6,
    MkNod = 8,
    MkDir = 9,
    Unlink = 10,
    RmDir = 11,
    Rename = 12,
    Link = 13,
    Open = 14,
    Read = 15,
    Write = 16,
    StatFs = 17,
    Release = 18,
    Fsync = 20,
    SetXattr = 21,
    GetXattr = 22,
    ListXattr = 23,
    RemoveXattr = 24,
    Flush = 25,
    Init = 26,
    OpenDir = 27,
    ReadDir = 28,
    ReleaseDir = 29,
    FsyncDir = 30,
    GetLk = 31,
    SetLk = 32,
    SetLkW = 33,
    Access = 34,
    Create = 35,
    Interrupt = 36,
    Bmap = 37,
    Destroy = 38,
    Ioctl = 39,
    Poll = 40,
    NotifyReply = 41,
    BatchForget = 42,
    Fallocate = 43,
    ReadDirPlus = 44,
    Rename2 = 45,
    Lseek = 46,
    CopyFileRange = 47,
    SetupMapping = 48,
    RemoveMapping = 49,
    SyncFs = 50,
    TmpFile = 51,
    /// <summary>(7.39)</summary>
    Statx = 52,
    /// <summary>(7.45)</summary>
    CopyFileRange64 = 53,

    CuseInit = 4096,
    CuseInitBswapReserved = 1048576,
    FuseInitBswapReserved = 436207616,
}

/// <summary>enum fuse_notify_code: the "opcode" of a notification, sent in out_header.error with unique 0.</summary>
internal enum FuseNotifyCode
{
    Poll = 1,
    InvalInode = 2,
    InvalEntry = 3,
    Store = 4,
    Retrieve = 5,
    Delete = 6,
    /// <summary>(7.40) Ask the kernel to resend every request still pending with us.</summary>
    Resend = 7,
    /// <summary>(7.44)</summary>
    IncEpoch = 8,
    /// <summary>(7.45) Ask the kernel to forget cached inodes that are not in use.</summary>
    Prune = 9,
}

/// <summary>enum fuse_ext_type: extensions appended to a request (total_extlen in the header).</summary>
internal enum FuseExtType : uint
{
    MaxNrSecctx = 31,
    /// <summary>(7.39) struct fuse_supp_groups.</summary>
    Groups = 32,
}

/// <summary>INIT flags: fuse_init_in/out.flags, with bits 32..63 carried in flags2 (FUSE_INIT_EXT).</summary>
[Flags]
internal enum FuseInitFlags : ulong
{
    None = 0,
    AsyncRead = 1UL << 0,
    PosixLocks = 1UL << 1,
    FileOps = 1UL << 2,
    AtomicOTrunc = 1UL << 3,
    ExportSupport = 1UL << 4,
    BigWrites = 1UL << 5,
    DontMask = 1UL << 6,
    SpliceWrite = 1UL << 7,
    SpliceMove = 1UL << 8,
    SpliceRead = 1UL << 9,
    FlockLocks = 1UL << 10,
    HasIoctlDir = 1UL << 11,
    AutoInvalData = 1UL << 12,
    DoReaddirplus = 1UL << 13,
    ReaddirplusAuto = 1UL << 14,
    AsyncDio = 1UL << 15,
    WritebackCache = 1UL << 16,
    NoOpenSupport = 1UL << 17,
    ParallelDirops = 1UL << 18,
    HandleKillpriv = 1UL << 19,
    PosixAcl = 1UL << 20,
    AbortError = 1UL << 21,
    MaxPages = 1UL << 22,
    CacheSymlinks = 1UL << 23,
    NoOpendirSupport = 1UL << 24,
    ExplicitInvalData = 1UL << 25,
    MapAlignment = 1UL << 26,
    Submounts = 1UL << 27,
    HandleKillprivV2 = 1UL << 28,
    SetxattrExt = 1UL << 29,
    InitExt = 1UL << 30,
    InitReserved = 1UL << 31,
    SecurityCtx = 1UL << 32,
    HasInodeDax = 1UL << 33,
    /// <summary>(7.39)</summary>
    CreateSuppGroup = 1UL << 34,
    HasExpireOnly = 1UL << 35,
    /// <summary>(7.39; was DIRECT_IO_RELAX)</summary>
    DirectIoAllowMmap = 1UL << 36,
    /// <summary>(7.40)</summary>
    Passthrough = 1UL << 37,
    /// <summary>(7.40)</summary>
    NoExportSupport = 1UL << 38,
    /// <summary>(7.40)</summary>
    HasResend = 1UL << 39,
    /// <summary>(7.41)</summary>
    AllowIdmap = 1UL << 40,
    /// <summary>(7.42)</summary>
    OverIoUring = 1UL << 41,
    /// <summary>(7.43)</summary>
    RequestTimeout = 1UL << 42,
}

/// <summary>FATTR_*: which fields of fuse_setattr_in are valid.</summary>
[Flags]
internal enum FuseSetAttrValid : uint
{
    None = 0,
    Mode = 1 << 0,
    Uid = 1 << 1,
    Gid = 1 << 2,
    Size = 1 << 3,
    Atime = 1 << 4,
    Mtime = 1 << 5,
    Fh = 1 << 6,
    AtimeNow = 1 << 7,
    MtimeNow = 1 << 8,
    LockOwner = 1 << 9,
    Ctime = 1 << 10,
    KillSuidgid = 1 << 11,
}

/// <summary>FOPEN_*: flags in fuse_open_out.open_flags.</summary>
[Flags]
internal enum FuseOpenOutFlags : uint
{
    None = 0,
    /// <summary>Bypass the page cache for this open file.</summary>
    DirectIo = 1 << 0,
    /// <summary>Do not invalidate the data cache on open.</summary>
    KeepCache = 1 << 1,
    /// <summary>The file is not seekable.</summary>
    NonSeekable = 1 << 2,
    /// <summary>Allow caching this directory.</summary>
    CacheDir = 1 << 3,
    /// <summary>The file is stream-like (no file position at all).</summary>
    Stream = 1 << 4,
    /// <summary>Do not flush the data cache on close (unless WRITEBACK_CACHE).</summary>
    NoFlush = 1 << 5,
    /// <summary>Allow concurrent direct writes on the same inode.</summary>
    ParallelDirectWrites = 1 << 6,
    /// <summary>(7.40) Passthrough read/write I/O for this open file.</summary>
    Passthrough = 1 << 7,
}

/// <summary>FUSE_RELEASE_*: fuse_release_in.release_flags.</summary>
[Flags]
internal enum FuseReleaseFlags : uint
{
    None = 0,
    Flush = 1 << 0,
    FlockUnlock = 1 << 1,
}

/// <summary>FUSE_GETATTR_*: fuse_getattr_in.getattr_flags.</summary>
[Flags]
internal enum FuseGetAttrFlags : uint
{
    None = 0,
    Fh = 1 << 0,
}

/// <summary>FUSE_LK_*: fuse_lk_in.lk_flags.</summary>
[Flags]
internal enum FuseLkFlags : uint
{
    None = 0,
    Flock = 1 << 0,
}

/// <summary>FUSE_WRITE_*: fuse_write_in.write_flags.</summary>
[Flags]
internal enum FuseWriteFlags : uint
{
    None = 0,
    /// <summary>Delayed write from the page cache; the file handle is guessed.</summary>
    Cache = 1 << 0,
    LockOwner = 1 << 1,
    KillSuidgid = 1 << 2,
}

/// <summary>FUSE_READ_*: fuse_read_in.read_flags.</summary>
[Flags]
internal enum FuseReadFlags : uint
{
    None = 0,
    LockOwner = 1 << 1,
}

/// <summary>FUSE_IOCTL_*: fuse_ioctl_in.flags and fuse_ioctl_out.flags.</summary>
[Flags]
internal enum FuseIoctlFlags : uint
{
    None = 0,
    Compat = 1 << 0,
    Unrestricted = 1 << 1,
    Retry = 1 << 2,
    Bit32 = 1 << 3,
    Dir = 1 << 4,
    CompatX32 = 1 << 5,
}

/// <summary>FUSE_FSYNC_*: fuse_fsync_in.fsync_flags.</summary>
[Flags]
internal enum FuseFsyncFlags : uint
{
    None = 0,
    Fdatasync = 1 << 0,
}

/// <summary>FUSE_ATTR_*: fuse_attr.flags.</summary>
[Flags]
internal enum FuseAttrFlags : uint
{
    None = 0,
    Submount = 1 << 0,
    Dax = 1 << 1,
}

/// <summary>FUSE_OPEN_*: fuse_open_in.open_flags / fuse_create_in.open_flags.</summary>
[Flags]
internal enum FuseOpenInFlags : uint
{
    None = 0,
    KillSuidgid = 1 << 0,
}

/// <summary>FUSE_SETXATTR_*: fuse_setxattr_in.setxattr_flags.</summary>
[Flags]
internal enum FuseSetxattrFlags : uint
{
    None = 0,
    AclKillSgid = 1 << 0,
}

/// <summary>notify_inval_entry flags.</summary>
[Flags]
internal enum FuseNotifyInvalEntryFlags : uint
{
    None = 0,
    ExpireOnly = 1 << 0,
}

/// <summary>CUSE_*: cuse_init_in/out.flags.</summary>
[Flags]
internal enum CuseInitFlags : uint
{
    None = 0,
    UnrestrictedIoctl = 1 << 0,
}

/// <summary>FUSE_POLL_*: fuse_poll_in.flags.</summary>
[Flags]
internal enum FusePollFlags : uint
{
    None = 0,
    ScheduleNotify = 1 << 0,
}

/// <summary>FUSE_SETUPMAPPING_FLAG_*: fuse_setupmapping_in.flags (virtiofs DAX).</summary>
[Flags]
internal enum FuseSetupmappingFlags : ulong
{
    None = 0,
    Write = 1UL << 0,
    Read = 1UL << 1,
}
