using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>The CephFS file system's log messages (source-generated).</summary>
internal static partial class CephFsLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "ceph: mounted {FileSystem}:{Root} as client.{Id} (root {Root2}); entry timeout {Entry} s, attr timeout {Attr} s, default_permissions {DefaultPermissions}, posix_acl {Acl}")]
    public static partial void Mounted(this ILogger logger, string fileSystem, string root, string id, string root2, double entry, double attr, bool defaultPermissions, bool acl);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "ceph: FUSE connection {Connection}")]
    public static partial void Connected(this ILogger logger, string connection);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "ceph: {What} for {Inode} failed: {Reason}")]
    public static partial void NotificationRefused(this ILogger logger, string what, string inode, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "ceph: invalidation ({Kind}, {Inode}) failed")]
    public static partial void InvalidationFailed(this ILogger logger, Exception exception, string kind, string inode);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "ceph: session over; released {Nodes} nodes, {Files} open files, {Directories} open directories; unmounting")]
    public static partial void Released(this ILogger logger, int nodes, int files, int directories);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "ceph: unmount failed ({Reason}); aborting the session")]
    public static partial void UnmountFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "ceph: writeback_cache asked for: the kernel will hold written data that other clients do not see until it writes it back")]
    public static partial void WritebackCacheRisk(this ILogger logger);

    [LoggerMessage(EventId = 407, Level = LogLevel.Error, Message = "ceph: node table inconsistency for {Request}")]
    public static partial void TableInconsistent(this ILogger logger, Exception exception, string request);

    [LoggerMessage(EventId = 409, Level = LogLevel.Debug, Message = "ceph: callback {Kind} {Inode} {Child} '{Name}' -> {What} node {NodeId}: {Result}")]
    public static partial void Notified(this ILogger logger, string kind, string inode, string child, string name, string what, ulong nodeId, string result);

    [LoggerMessage(EventId = 408, Level = LogLevel.Debug, Message = "ceph: asking the kernel to forget {Count} idle nodes ({Held} held, cache size {Limit})")]
    public static partial void Pruning(this ILogger logger, int count, int held, int limit);
}
