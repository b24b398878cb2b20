using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>The kernel layer's log messages (source-generated: nothing is formatted when the level is off).</summary>
internal static partial class FuseLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "-> {Unique} {Opcode} node {NodeId} uid {Uid} pid {Pid} {Arguments}")]
    public static partial void TraceRequest(this ILogger logger, ulong unique, string opcode, ulong nodeId, uint uid, uint pid, string arguments);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "<- {Unique} {Opcode} {Result} {Length} bytes in {Microseconds} us")]
    public static partial void TraceReply(this ILogger logger, ulong unique, string opcode, string result, int length, long microseconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "FUSE INIT: {Connection}")]
    public static partial void Negotiated(this ILogger logger, FuseConnectionInfo connection);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "dropped a {Length}-byte request: shorter than a header")]
    public static partial void DroppedShortRequest(this ILogger logger, int length);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "malformed request {Unique} (opcode {Opcode}): {Problem}")]
    public static partial void MalformedRequest(this ILogger logger, ulong unique, uint opcode, string problem);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "{Opcode} handler failed (unique {Unique}, node {NodeId}); answered EIO")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string opcode, ulong unique, ulong nodeId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "{Opcode} handler produced a {Length}-byte reply, larger than the buffer; answered EIO")]
    public static partial void ReplyTooLong(this ILogger logger, string opcode, int length);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "the kernel refused the reply to {Unique} ({Opcode}): errno {Errno}")]
    public static partial void ReplyRejected(this ILogger logger, ulong unique, string opcode, int errno);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "FUSE connection closed ({Reason})")]
    public static partial void ConnectionClosed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "reading /dev/fuse failed: errno {Errno}; stopping")]
    public static partial void ReadFailed(this ILogger logger, int errno);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "FUSE INIT refused: {Reason}")]
    public static partial void InitRefused(this ILogger logger, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "could not start reader thread {Index}: {Reason}")]
    public static partial void ReaderStartFailed(this ILogger logger, int index, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "read_ahead_kb of {MountPoint} set to {Kilobytes}: {Done}")]
    public static partial void ReadAhead(this ILogger logger, string mountPoint, int kilobytes, bool done);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "requests were still running {Seconds} s after the session stopped; the file system is released anyway")]
    public static partial void DrainTimedOut(this ILogger logger, double seconds);
}
