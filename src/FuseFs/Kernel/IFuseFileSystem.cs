using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// A file system served over FUSE, inode-based like libfuse's low-level API.
/// <list type="bullet">
/// <item><b>Node IDs and lookup counts.</b> Every reply that hands the kernel a node ID — LOOKUP, MKNOD, MKDIR,
/// SYMLINK, LINK, CREATE with a non-zero <see cref="FuseEntryOut.NodeId"/>, and each READDIRPLUS entry added with a
/// non-zero NodeId (not "." or "..") — gives the kernel one lookup reference on that node, counted only when the
/// handler returns 0. <see cref="Forget"/> returns them. A node ID stays valid, and must not be reused for another
/// inode, until its count is back to zero. The root is <see cref="FuseProtocol.RootId"/> (1) and is never looked
/// up or forgotten.</item>
/// <item><b>File handles.</b> OPEN, CREATE and OPENDIR return a handle (<see cref="FuseOpenOut.Fh"/>) the kernel
/// passes back in every request on that open file until RELEASE / RELEASEDIR.</item>
/// <item><b>Results.</b> Every handler returns 0 or an errno (ENOENT…); a negative value is taken as −errno, so a
/// libcephfs result can be returned as it is. Replies are filled in place: the <c>ref</c> structs and spans handed in
/// are the reply buffer itself, zeroed; on error they are ignored. An exception from a handler is logged and answered
/// with EIO; the daemon lives on.</item>
/// <item><b>Threads.</b> Handlers are called synchronously on the session's worker threads, many at once, also for
/// the same node and directory (PARALLEL_DIROPS). Blocking in a handler is allowed (libcephfs is synchronous) and
/// never stops other requests from being read, up to the session's in-flight bound. A handler that waits (a
/// blocking lock above all) watches <see cref="FuseRequestContext.CancellationToken"/> and returns EINTR when it
/// trips (FUSE INTERRUPT).</item>
/// <item><b>Spans.</b> Names (1–255 bytes, no NUL, no '/') and data point into the request buffer and are valid only
/// until the handler returns.</item>
/// <item><b>Defaults.</b> Operations not implemented answer ENOSYS (the kernel then stops sending most of them),
/// except <see cref="Forget"/> (nothing to do), <see cref="Open"/>/<see cref="OpenDir"/> (handle 0) and
/// <see cref="Release"/>/<see cref="ReleaseDir"/>/<see cref="Flush"/> (success).</item>
/// </list>
/// </summary>
internal interface IFuseFileSystem
{
    /// <summary>
    /// INIT: the kernel's offer and the session's request. Adjust <see cref="FuseConnectionInfo.Want"/> and limits
    /// here; keep <see cref="FuseConnectionInfo.Notifier"/> for invalidations. Runs before any other request.
    /// </summary>
    void Init(FuseConnectionInfo connection) { }

    /// <summary>The session has ended (DESTROY, unmount or abort); no handler runs any more. Release everything.</summary>
    void Destroy() { }

    /// <summary>LOOKUP: fill <paramref name="entry"/> for the child (one lookup reference). Absent: ENOENT, or 0 with
    /// NodeId 0 and an entry timeout to let the kernel cache the absence.</summary>
    int Lookup(FuseRequestContext context, LookupRequest request, ref FuseEntryOut entry) => ENOSYS;

    /// <summary>
    /// FORGET and BATCH_FORGET: drop <see cref="FuseForgetOne.Nlookup"/> lookup references from each node. No reply;
    /// must not block on I/O (it runs ahead of everything else).
    /// </summary>
    void Forget(ReadOnlySpan<FuseForgetOne> nodes) { }

    /// <summary>GETATTR: fill <paramref name="attr"/> (and its timeout).</summary>
    int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr) => ENOSYS;

    /// <summary>SETATTR: apply the change, then fill <paramref name="attr"/> with the attributes after it.</summary>
    int SetAttr(FuseRequestContext context, SetAttrRequest request, ref FuseAttrOut attr) => ENOSYS;

    /// <summary>READLINK: copy the target into <paramref name="target"/> (no NUL); <paramref name="length"/> = bytes.</summary>
    int ReadLink(FuseRequestContext context, ReadLinkRequest request, Span<byte> target, out int length)
    {
        length = 0;
        return ENOSYS;
    }

    /// <summary>SYMLINK: create, then fill <paramref name="entry"/> (one lookup reference).</summary>
    int Symlink(FuseRequestContext context, SymlinkRequest request, ref FuseEntryOut entry) => ENOSYS;

    /// <summary>MKNOD: create, then fill <paramref name="entry"/> (one lookup reference).</summary>
    int MkNod(FuseRequestContext context, MkNodRequest request, ref FuseEntryOut entry) => ENOSYS;

    /// <summary>MKDIR: create, then fill <paramref name="entry"/> (one lookup reference).</summary>
    int MkDir(FuseRequestContext context, MkDirRequest request, ref FuseEntryOut entry) => ENOSYS;

    /// <summary>UNLINK.</summary>
    int Unlink(FuseRequestContext context, UnlinkRequest request) => ENOSYS;

    /// <summary>RMDIR.</summary>
    int RmDir(FuseRequestContext context, RmDirRequest request) => ENOSYS;

    /// <summary>RENAME / RENAME2 (flags NOREPLACE, EXCHANGE; EINVAL for flags not supported).</summary>
    int Rename(FuseRequestContext context, RenameRequest request) => ENOSYS;

    /// <summary>LINK: create the hard link, then fill <paramref name="entry"/> for the inode (one lookup reference).</summary>
    int Link(FuseRequestContext context, LinkRequest request, ref FuseEntryOut entry) => ENOSYS;

    /// <summary>OPEN: set <see cref="FuseOpenOut.Fh"/> and FOPEN_* flags (DIRECT_IO, KEEP_CACHE, …).</summary>
    int Open(FuseRequestContext context, OpenRequest request, ref FuseOpenOut open) => 0;

    /// <summary>
    /// READ: read up to <see cref="ReadRequest.Size"/> bytes straight into <paramref name="destination"/> (the reply
    /// buffer, exactly that long); <paramref name="bytesRead"/> &lt; size means end of file (except with DIRECT_IO).
    /// </summary>
    int Read(FuseRequestContext context, ReadRequest request, Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        return ENOSYS;
    }

    /// <summary>WRITE: <paramref name="bytesWritten"/> = bytes accepted (all of them, except with DIRECT_IO).</summary>
    int Write(FuseRequestContext context, WriteRequest request, out int bytesWritten)
    {
        bytesWritten = 0;
        return ENOSYS;
    }

    /// <summary>STATFS: fill <paramref name="statfs"/>.</summary>
    int StatFs(FuseRequestContext context, StatFsRequest request, ref FuseKstatfs statfs) => ENOSYS;

    /// <summary>RELEASE: the open file is closed for good; free the handle. The result is not seen by anyone.</summary>
    int Release(FuseRequestContext context, ReleaseRequest request) => 0;

    /// <summary>FSYNC.</summary>
    int Fsync(FuseRequestContext context, FsyncRequest request) => ENOSYS;

    /// <summary>SETXATTR.</summary>
    int SetXattr(FuseRequestContext context, SetXattrRequest request) => ENOSYS;

    /// <summary>
    /// GETXATTR: with <see cref="GetXattrRequest.Size"/> 0 set <paramref name="size"/> to the value's length and copy
    /// nothing; otherwise copy the value into <paramref name="value"/> (Size bytes) and set <paramref name="size"/>,
    /// or return ERANGE if it does not fit. ENODATA when there is no such attribute.
    /// </summary>
    int GetXattr(FuseRequestContext context, GetXattrRequest request, Span<byte> value, out int size)
    {
        size = 0;
        return ENOSYS;
    }

    /// <summary>LISTXATTR: like <see cref="GetXattr"/> for the NUL-terminated names, one after another.</summary>
    int ListXattr(FuseRequestContext context, ListXattrRequest request, Span<byte> list, out int size)
    {
        size = 0;
        return ENOSYS;
    }

    /// <summary>REMOVEXATTR (ENODATA when absent).</summary>
    int RemoveXattr(FuseRequestContext context, RemoveXattrRequest request) => ENOSYS;

    /// <summary>FLUSH: one close(2) of the open file; report write-back errors here.</summary>
    int Flush(FuseRequestContext context, FlushRequest request) => 0;

    /// <summary>OPENDIR: set <see cref="FuseOpenOut.Fh"/> (and CACHE_DIR/KEEP_CACHE to let the kernel cache listings).</summary>
    int OpenDir(FuseRequestContext context, OpenDirRequest request, ref FuseOpenOut open) => 0;

    /// <summary>READDIR: add entries from <see cref="ReadDirRequest.Offset"/> with <see cref="DirectoryWriter.TryAdd"/>; none added = end.</summary>
    int ReadDir(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) => ENOSYS;

    /// <summary>READDIRPLUS: as <see cref="ReadDir"/> with <see cref="DirectoryWriter.TryAddPlus"/> (lookup references!).</summary>
    int ReadDirPlus(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) => ENOSYS;

    /// <summary>RELEASEDIR.</summary>
    int ReleaseDir(FuseRequestContext context, ReleaseDirRequest request) => 0;

    /// <summary>FSYNCDIR.</summary>
    int FsyncDir(FuseRequestContext context, FsyncDirRequest request) => ENOSYS;

    /// <summary>GETLK: fill <paramref name="conflict"/> with a conflicting lock, or set its Type to F_UNLCK.</summary>
    int GetLk(FuseRequestContext context, GetLkRequest request, ref FuseFileLock conflict) => ENOSYS;

    /// <summary>SETLK / SETLKW and flock(2): EAGAIN when not waiting and the lock is held; EINTR when interrupted.</summary>
    int SetLk(FuseRequestContext context, SetLkRequest request) => ENOSYS;

    /// <summary>ACCESS (not sent with default_permissions): 0, EACCES, or ENOENT.</summary>
    int Access(FuseRequestContext context, AccessRequest request) => ENOSYS;

    /// <summary>
    /// CREATE: create and open; fill <paramref name="entry"/> (one lookup reference) and <paramref name="open"/>.
    /// ENOSYS makes the kernel fall back to MKNOD + OPEN.
    /// </summary>
    int Create(FuseRequestContext context, CreateRequest request, ref FuseEntryOut entry, ref FuseOpenOut open) => ENOSYS;

    /// <summary>
    /// IOCTL: on success set <paramref name="result"/> (the ioctl's return value) and copy up to
    /// <see cref="IoctlRequest.OutputSize"/> bytes into <paramref name="output"/> (<paramref name="outputLength"/>).
    /// ENOTTY for commands not known.
    /// </summary>
    int Ioctl(FuseRequestContext context, IoctlRequest request, Span<byte> output, out int result, out int outputLength)
    {
        result = 0;
        outputLength = 0;
        return ENOSYS;
    }

    /// <summary>FALLOCATE (EOPNOTSUPP for modes not supported).</summary>
    int Fallocate(FuseRequestContext context, FallocateRequest request) => ENOSYS;

    /// <summary>LSEEK SEEK_DATA / SEEK_HOLE: set <paramref name="offset"/>; ENXIO past the end.</summary>
    int Lseek(FuseRequestContext context, LseekRequest request, out long offset)
    {
        offset = 0;
        return ENOSYS;
    }

    /// <summary>COPY_FILE_RANGE: <paramref name="bytesCopied"/> = bytes copied (fewer at end of file).</summary>
    int CopyFileRange(FuseRequestContext context, CopyFileRangeRequest request, out long bytesCopied)
    {
        bytesCopied = 0;
        return ENOSYS;
    }

    /// <summary>STATX (7.39): fill <paramref name="statx"/> (Mask says which fields are valid, e.g. STATX_BTIME).</summary>
    int Statx(FuseRequestContext context, StatxRequest request, ref FuseStatxOut statx) => ENOSYS;
}
