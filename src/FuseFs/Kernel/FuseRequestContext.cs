using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// Who is asking, for one request: the caller's credentials, its umask (CREATE, MKNOD, MKDIR), its supplementary
/// groups on demand, and a cancellation token that FUSE INTERRUPT trips. The session reuses the object for the next
/// request as soon as the handler returns: never keep it, or a span from it, beyond that.
/// </summary>
internal sealed class FuseRequestContext
{
    private readonly SupplementaryGroups _groups;

    internal FuseRequestContext(SupplementaryGroups groups) => _groups = groups;

    /// <summary>The kernel's request ID (even; for tracing).</summary>
    public ulong Unique { get; private set; }

    public FuseOpcode Opcode { get; private set; }

    /// <summary>The node the request is about (the parent directory for name operations).</summary>
    public ulong NodeId { get; private set; }

    /// <summary>The caller's file-system user ID.</summary>
    public uint Uid { get; private set; }

    /// <summary>The caller's file-system group ID.</summary>
    public uint Gid { get; private set; }

    /// <summary>The caller's thread group ID (0 for requests the kernel makes on its own, e.g. writeback).</summary>
    public uint Pid { get; private set; }

    /// <summary>The caller's umask for CREATE, MKNOD and MKDIR; 0 for every other operation.</summary>
    public uint Umask { get; internal set; }

    /// <summary>
    /// Trips when the kernel sends INTERRUPT for this request (the caller got a signal). A handler that waits —
    /// a blocking lock above all — watches it and returns EINTR; a handler that completes anyway may reply normally.
    /// </summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>True once INTERRUPT arrived for this request.</summary>
    public bool IsInterrupted => CancellationToken.IsCancellationRequested;

    /// <summary>
    /// The caller's supplementary group IDs, read from <c>/proc/&lt;pid&gt;/status</c> on first use and cached
    /// briefly per process (like ceph-fuse's fuse_set_user_groups). Empty when the process is gone or
    /// <see cref="Pid"/> is 0. Valid until the handler returns.
    /// </summary>
    public ReadOnlySpan<uint> GetSupplementaryGroups() => Pid == 0 ? default : _groups.Get(Pid, Uid, Gid);

    /// <summary>True when the caller is root (uid 0), which bypasses permission checks.</summary>
    public bool IsRoot => Uid == 0;

    /// <summary>True when <paramref name="gid"/> is the caller's group or one of its supplementary groups.</summary>
    public bool IsInGroup(uint gid) => gid == Gid || GetSupplementaryGroups().Contains(gid);

    internal void Reset(in FuseInHeader header, CancellationToken cancellationToken)
    {
        Unique = header.Unique;
        Opcode = header.Opcode;
        NodeId = header.NodeId;
        Uid = header.Uid;
        Gid = header.Gid;
        Pid = header.Pid;
        Umask = 0;
        CancellationToken = cancellationToken;
    }

    /// <summary>A context for calls the session makes outside a request (tests of a file system, tools).</summary>
    public static FuseRequestContext ForCaller(uint uid, uint gid, uint pid = 0, uint umask = 0, CancellationToken cancellationToken = default)
    {
        var context = new FuseRequestContext(SupplementaryGroups.Shared);
        var header = new FuseInHeader { Uid = uid, Gid = gid, Pid = pid };
        context.Reset(header, cancellationToken);
        context.Umask = umask;
        return context;
    }
}
