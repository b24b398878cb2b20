using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

// One typed request per operation, decoded in place: names and data are spans over the request buffer and are
// valid only until the handler returns (copy what you keep). Names never contain a NUL or a '/'.

/// <summary>LOOKUP: find <see cref="Name"/> in directory <see cref="Parent"/>.</summary>
internal readonly ref struct LookupRequest(ulong parent, ReadOnlySpan<byte> name)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
}

/// <summary>GETATTR of <see cref="NodeId"/>; <see cref="FileHandle"/> is set when the caller did fstat on an open file.</summary>
internal readonly ref struct GetAttrRequest(ulong nodeId, ulong? fileHandle)
{
    public ulong NodeId { get; } = nodeId;
    public ulong? FileHandle { get; } = fileHandle;
}

/// <summary>
/// SETATTR: change the attributes selected by <see cref="Valid"/> (chmod, chown, truncate, utimensat).
/// Times: <see cref="FuseSetAttrValid.AtimeNow"/>/<see cref="FuseSetAttrValid.MtimeNow"/> mean "the current time"
/// (UTIME_NOW); a time not in <see cref="Valid"/> is left alone (UTIME_OMIT). The file system updates ctime itself.
/// </summary>
internal readonly ref struct SetAttrRequest(ulong nodeId, in FuseSetattrIn arguments)
{
    private readonly FuseSetattrIn _in = arguments;

    public ulong NodeId { get; } = nodeId;
    public FuseSetAttrValid Valid => _in.Valid;
    /// <summary>The open file this came through (ftruncate, fchmod), when <see cref="FuseSetAttrValid.Fh"/> is set.</summary>
    public ulong? FileHandle => (_in.Valid & FuseSetAttrValid.Fh) != 0 ? _in.Fh : null;
    public ulong Size => _in.Size;
    /// <summary>Permission bits (07777) to set; the file type bits are not to be changed.</summary>
    public uint Mode => _in.Mode;
    public uint Uid => _in.Uid;
    public uint Gid => _in.Gid;
    public long AtimeSeconds => (long)_in.Atime;
    public uint AtimeNanoseconds => _in.AtimeNsec;
    public long MtimeSeconds => (long)_in.Mtime;
    public uint MtimeNanoseconds => _in.MtimeNsec;
    public long CtimeSeconds => (long)_in.Ctime;
    public uint CtimeNanoseconds => _in.CtimeNsec;
    public ulong LockOwner => _in.LockOwner;

    /// <summary>True when every flag in <paramref name="flags"/> is set in <see cref="Valid"/>.</summary>
    public bool Has(FuseSetAttrValid flags) => (_in.Valid & flags) == flags;
}

/// <summary>READLINK of <see cref="NodeId"/>.</summary>
internal readonly ref struct ReadLinkRequest(ulong nodeId)
{
    public ulong NodeId { get; } = nodeId;
}

/// <summary>SYMLINK: create <see cref="Name"/> in <see cref="Parent"/> pointing to <see cref="Target"/>.</summary>
internal readonly ref struct SymlinkRequest(ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
    public ReadOnlySpan<byte> Target { get; } = target;
}

/// <summary>
/// MKNOD: create a regular file, FIFO, socket or device node. <see cref="Mode"/> carries the file type; the kernel
/// has already applied the caller's umask unless the connection negotiated DONT_MASK.
/// </summary>
internal readonly ref struct MkNodRequest(ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
    public uint Mode { get; } = mode;
    /// <summary>Device number (new_encode_dev form) for character and block devices.</summary>
    public uint Rdev { get; } = rdev;
}

/// <summary>MKDIR: <see cref="Mode"/> holds permission bits only (add S_IFDIR); umask as for <see cref="MkNodRequest"/>.</summary>
internal readonly ref struct MkDirRequest(ulong parent, ReadOnlySpan<byte> name, uint mode)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
    public uint Mode { get; } = mode;
}

/// <summary>UNLINK <see cref="Name"/> (not a directory) from <see cref="Parent"/>.</summary>
internal readonly ref struct UnlinkRequest(ulong parent, ReadOnlySpan<byte> name)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
}

/// <summary>RMDIR <see cref="Name"/> (an empty directory) from <see cref="Parent"/>.</summary>
internal readonly ref struct RmDirRequest(ulong parent, ReadOnlySpan<byte> name)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
}

/// <summary>RENAME and RENAME2: move <see cref="Name"/> in <see cref="Parent"/> to <see cref="NewName"/> in <see cref="NewParent"/>.</summary>
internal readonly ref struct RenameRequest(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
    public ulong NewParent { get; } = newParent;
    public ReadOnlySpan<byte> NewName { get; } = newName;
    /// <summary>renameat2 flags; a file system that cannot honour one answers EINVAL.</summary>
    public RenameFlags Flags { get; } = flags;
}

/// <summary>renameat2(2) flags.</summary>
[Flags]
internal enum RenameFlags : uint
{
    None = 0,
    /// <summary>RENAME_NOREPLACE: fail with EEXIST if the target exists.</summary>
    NoReplace = 1,
    /// <summary>RENAME_EXCHANGE: atomically swap source and target (both must exist).</summary>
    Exchange = 2,
    /// <summary>RENAME_WHITEOUT (overlayfs).</summary>
    Whiteout = 4,
}

/// <summary>LINK: make a new hard link <see cref="NewName"/> in <see cref="NewParent"/> to inode <see cref="NodeId"/>.</summary>
internal readonly ref struct LinkRequest(ulong nodeId, ulong newParent, ReadOnlySpan<byte> newName)
{
    public ulong NodeId { get; } = nodeId;
    public ulong NewParent { get; } = newParent;
    public ReadOnlySpan<byte> NewName { get; } = newName;
}

/// <summary>OPEN of <see cref="NodeId"/> with open(2) <see cref="Flags"/> (O_TRUNC included under ATOMIC_O_TRUNC).</summary>
internal readonly ref struct OpenRequest(ulong nodeId, int flags, bool killSuidgid)
{
    public ulong NodeId { get; } = nodeId;
    public int Flags { get; } = flags;
    /// <summary>The kernel asks to clear set-user/group-ID bits (O_TRUNC by a non-owner under HANDLE_KILLPRIV_V2).</summary>
    public bool KillSuidgid { get; } = killSuidgid;
}

/// <summary>READ of up to <see cref="Size"/> bytes at <see cref="Offset"/>.</summary>
internal readonly ref struct ReadRequest(ulong nodeId, ulong fileHandle, long offset, int size, int flags, ulong? lockOwner)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public long Offset { get; } = offset;
    public int Size { get; } = size;
    /// <summary>The open(2) flags of the file.</summary>
    public int Flags { get; } = flags;
    public ulong? LockOwner { get; } = lockOwner;
}

/// <summary>WRITE of <see cref="Data"/> at <see cref="Offset"/>.</summary>
internal readonly ref struct WriteRequest(ulong nodeId, ulong fileHandle, long offset, ReadOnlySpan<byte> data, FuseWriteFlags writeFlags, int flags, ulong? lockOwner)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public long Offset { get; } = offset;
    public ReadOnlySpan<byte> Data { get; } = data;
    /// <summary>CACHE (a writeback from the page cache: the handle is a guess), KILL_SUIDGID, LOCKOWNER.</summary>
    public FuseWriteFlags WriteFlags { get; } = writeFlags;
    /// <summary>The open(2) flags of the file (O_APPEND: the kernel already put <see cref="Offset"/> at the end it knows).</summary>
    public int Flags { get; } = flags;
    public ulong? LockOwner { get; } = lockOwner;
}

/// <summary>STATFS of the file system holding <see cref="NodeId"/>.</summary>
internal readonly ref struct StatFsRequest(ulong nodeId)
{
    public ulong NodeId { get; } = nodeId;
}

/// <summary>RELEASE: the last reference to an open file is gone; no more requests will use <see cref="FileHandle"/>.</summary>
internal readonly ref struct ReleaseRequest(ulong nodeId, ulong fileHandle, int flags, FuseReleaseFlags releaseFlags, ulong lockOwner)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public int Flags { get; } = flags;
    /// <summary>FLOCK_UNLOCK: also drop the flock(2) lock held through this open file by <see cref="LockOwner"/>.</summary>
    public FuseReleaseFlags ReleaseFlags { get; } = releaseFlags;
    public ulong LockOwner { get; } = lockOwner;
}

/// <summary>FSYNC (fsync or fdatasync when <see cref="DataOnly"/>).</summary>
internal readonly ref struct FsyncRequest(ulong nodeId, ulong fileHandle, bool dataOnly)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public bool DataOnly { get; } = dataOnly;
}

/// <summary>SETXATTR <see cref="Name"/> = <see cref="Value"/>; <see cref="Flags"/> is XATTR_CREATE (1) / XATTR_REPLACE (2).</summary>
internal readonly ref struct SetXattrRequest(ulong nodeId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags, FuseSetxattrFlags setxattrFlags)
{
    public ulong NodeId { get; } = nodeId;
    public ReadOnlySpan<byte> Name { get; } = name;
    public ReadOnlySpan<byte> Value { get; } = value;
    public int Flags { get; } = flags;
    public FuseSetxattrFlags SetxattrFlags { get; } = setxattrFlags;
}

/// <summary>GETXATTR <see cref="Name"/>; <see cref="Size"/> 0 asks only for the value's size.</summary>
internal readonly ref struct GetXattrRequest(ulong nodeId, ReadOnlySpan<byte> name, int size)
{
    public ulong NodeId { get; } = nodeId;
    public ReadOnlySpan<byte> Name { get; } = name;
    public int Size { get; } = size;
}

/// <summary>LISTXATTR: names, each followed by a NUL; <see cref="Size"/> 0 asks only for the total size.</summary>
internal readonly ref struct ListXattrRequest(ulong nodeId, int size)
{
    public ulong NodeId { get; } = nodeId;
    public int Size { get; } = size;
}

/// <summary>REMOVEXATTR <see cref="Name"/>.</summary>
internal readonly ref struct RemoveXattrRequest(ulong nodeId, ReadOnlySpan<byte> name)
{
    public ulong NodeId { get; } = nodeId;
    public ReadOnlySpan<byte> Name { get; } = name;
}

/// <summary>FLUSH: a close(2) of one descriptor of the open file (there may be several per open).</summary>
internal readonly ref struct FlushRequest(ulong nodeId, ulong fileHandle, ulong lockOwner)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public ulong LockOwner { get; } = lockOwner;
}

/// <summary>OPENDIR of <see cref="NodeId"/>.</summary>
internal readonly ref struct OpenDirRequest(ulong nodeId, int flags)
{
    public ulong NodeId { get; } = nodeId;
    public int Flags { get; } = flags;
}

/// <summary>
/// READDIR / READDIRPLUS: continue the listing after the entry whose "next offset" was <see cref="Offset"/>
/// (0 = from the start). Offsets are the file system's own cookies, stable across calls on the same handle.
/// </summary>
internal readonly ref struct ReadDirRequest(ulong nodeId, ulong fileHandle, long offset, int size)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public long Offset { get; } = offset;
    /// <summary>The kernel's buffer size; the <see cref="DirectoryWriter"/> never exceeds it.</summary>
    public int Size { get; } = size;
}

/// <summary>RELEASEDIR: the directory handle is closed.</summary>
internal readonly ref struct ReleaseDirRequest(ulong nodeId, ulong fileHandle, int flags)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public int Flags { get; } = flags;
}

/// <summary>FSYNCDIR.</summary>
internal readonly ref struct FsyncDirRequest(ulong nodeId, ulong fileHandle, bool dataOnly)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public bool DataOnly { get; } = dataOnly;
}

/// <summary>
/// GETLK: would <see cref="Lock"/> conflict? POSIX (fcntl) locks are owned by <see cref="Owner"/> (one per process
/// and file table); <see cref="FuseFileLock.End"/> is inclusive and long.MaxValue means "to the end of the file".
/// </summary>
internal readonly ref struct GetLkRequest(ulong nodeId, ulong fileHandle, ulong owner, in FuseFileLock lk)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public ulong Owner { get; } = owner;
    public FuseFileLock Lock { get; } = lk;
}

/// <summary>
/// SETLK / SETLKW: take or release <see cref="Lock"/>. <see cref="IsFlock"/>: a flock(2) lock (whole file, owned by
/// the open file description) instead of a POSIX one. <see cref="Wait"/> (SETLKW, or flock without LOCK_NB): block
/// until granted — while watching <see cref="FuseRequestContext.CancellationToken"/>, and answer EINTR when it trips.
/// </summary>
internal readonly ref struct SetLkRequest(ulong nodeId, ulong fileHandle, ulong owner, in FuseFileLock lk, bool isFlock, bool wait)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public ulong Owner { get; } = owner;
    public FuseFileLock Lock { get; } = lk;
    public bool IsFlock { get; } = isFlock;
    public bool Wait { get; } = wait;
}

/// <summary>ACCESS: may the caller access <see cref="NodeId"/> with <see cref="Mask"/> (R_OK 4 | W_OK 2 | X_OK 1, or F_OK 0)?</summary>
internal readonly ref struct AccessRequest(ulong nodeId, int mask)
{
    public ulong NodeId { get; } = nodeId;
    public int Mask { get; } = mask;
}

/// <summary>CREATE: atomically create (O_CREAT) and open a regular file; <see cref="Mode"/> includes S_IFREG.</summary>
internal readonly ref struct CreateRequest(ulong parent, ReadOnlySpan<byte> name, uint mode, int flags, bool killSuidgid)
{
    public ulong Parent { get; } = parent;
    public ReadOnlySpan<byte> Name { get; } = name;
    public uint Mode { get; } = mode;
    /// <summary>open(2) flags, O_CREAT (and O_EXCL when asked) included.</summary>
    public int Flags { get; } = flags;
    public bool KillSuidgid { get; } = killSuidgid;
}

/// <summary>
/// IOCTL (restricted form: the command's size and direction bits say how much goes in and out).
/// </summary>
internal readonly ref struct IoctlRequest(ulong nodeId, ulong fileHandle, FuseIoctlFlags flags, uint command, ulong argument, ReadOnlySpan<byte> input, int outputSize)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public FuseIoctlFlags Flags { get; } = flags;
    public uint Command { get; } = command;
    /// <summary>The raw argument (a user-space pointer for _IOR/_IOW commands: meaningless here).</summary>
    public ulong Argument { get; } = argument;
    public ReadOnlySpan<byte> Input { get; } = input;
    public int OutputSize { get; } = outputSize;
}

/// <summary>FALLOCATE: <see cref="Mode"/> is FALLOC_FL_* (KEEP_SIZE 1, PUNCH_HOLE 2, ZERO_RANGE 0x10, …).</summary>
internal readonly ref struct FallocateRequest(ulong nodeId, ulong fileHandle, long offset, long length, int mode)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public long Offset { get; } = offset;
    public long Length { get; } = length;
    public int Mode { get; } = mode;
}

/// <summary>LSEEK with SEEK_DATA (3) or SEEK_HOLE (4) (the kernel handles SET/CUR/END itself).</summary>
internal readonly ref struct LseekRequest(ulong nodeId, ulong fileHandle, long offset, int whence)
{
    public ulong NodeId { get; } = nodeId;
    public ulong FileHandle { get; } = fileHandle;
    public long Offset { get; } = offset;
    public int Whence { get; } = whence;
}

/// <summary>COPY_FILE_RANGE (and COPY_FILE_RANGE_64): copy up to <see cref="Length"/> bytes between two open files.</summary>
internal readonly ref struct CopyFileRangeRequest(ulong nodeIdIn, ulong fileHandleIn, long offsetIn, ulong nodeIdOut, ulong fileHandleOut, long offsetOut, long length, ulong flags)
{
    public ulong NodeIdIn { get; } = nodeIdIn;
    public ulong FileHandleIn { get; } = fileHandleIn;
    public long OffsetIn { get; } = offsetIn;
    public ulong NodeIdOut { get; } = nodeIdOut;
    public ulong FileHandleOut { get; } = fileHandleOut;
    public long OffsetOut { get; } = offsetOut;
    public long Length { get; } = length;
    public ulong Flags { get; } = flags;
}

/// <summary>STATX (7.39): like GETATTR with the statx(2) mask of wanted fields (e.g. STATX_BTIME).</summary>
internal readonly ref struct StatxRequest(ulong nodeId, ulong? fileHandle, uint syncFlags, uint mask)
{
    public ulong NodeId { get; } = nodeId;
    public ulong? FileHandle { get; } = fileHandle;
    public uint SyncFlags { get; } = syncFlags;
    public uint Mask { get; } = mask;
}
