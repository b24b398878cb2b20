using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// The daemon's admin socket, where ceph-fuse has it and speaking its protocol: a Unix stream socket; each
/// connection carries one command terminated by a NUL and gets one answer (4-byte big-endian length, payload).
/// One thread, one client at a time, bounded reads — a stuck client cannot hold the daemon. The request path
/// never touches it.
/// </summary>
internal sealed class AdminSocketServer : IDisposable
{
    private const int MaxRequest = 64 * 1024;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly AdminCommands _commands;
    private readonly ILogger _log;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private AdminSocketServer(string path, Socket listener, AdminCommands commands, ILogger log)
    {
        Path = path;
        _listener = listener;
        _commands = commands;
        _log = log;
        _thread = new Thread(AcceptLoop) { IsBackground = true, Name = "admin-socket" };
        _thread.UnsafeStart();
    }

    public string Path { get; }

    /// <summary>
    /// Listens at <paramref name="path"/> (a stale socket file nobody answers on is replaced, as Ceph does);
    /// null with a logged warning when that is not possible — the mount goes on without it, like ceph-fuse.
    /// </summary>
    public static AdminSocketServer? Start(string path, AdminCommands commands, ILogger log)
    {
        try
        {
            if (File.Exists(path))
            {
                if (AdminSocketClient.TrySend(path, "{\"prefix\": \"version\"}"u8, TimeSpan.FromSeconds(1)) is not null)
                {
                    log.AdminSocketFailed(path, "another process answers there");
                    return null;
                }
                File.Delete(path);
            }
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(path));
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                listener.Listen(16);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
            return new AdminSocketServer(path, listener, commands, log);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            log.AdminSocketFailed(path, e.Message);
            return null;
        }
    }

    private void AcceptLoop() => SocketAcceptLoop.Run(_listener, Serve, () => _stopping, _log);

    private void Serve(Socket client)
    {
        client.ReceiveTimeout = client.SendTimeout = (int)ClientTimeout.TotalMilliseconds;
        byte[] buffer = new byte[MaxRequest];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                Answer(client, AdminCommands.Error(22, "command too long"));
                return;
            }
            int n = client.Receive(buffer.AsSpan(length));
            if (n == 0)
                return; // gone before finishing the command
            int nul = buffer.AsSpan(length, n).IndexOf((byte)0);
            length += n;
            if (nul >= 0)
            {
                length = length - n + nul;
                break;
            }
        }
        byte[] answer;
        try
        {
            answer = _commands.Execute(buffer[..length]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.AdminCommandFailed(e);
            answer = AdminCommands.Error(5, e.Message);
        }
        Answer(client, answer);
    }

    private static void Answer(Socket client, byte[] answer)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)answer.Length);
        client.Send(header);
        client.Send(answer);
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}

internal static partial class DiagnosticsLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "admin socket {Path}: {Reason}; going on without it")]
    public static partial void AdminSocketFailed(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "admin socket client: {Reason}")]
    public static partial void AdminClientFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "admin socket command failed")]
    public static partial void AdminCommandFailed(this ILogger logger, Exception e);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "metrics endpoint {Address}: {Reason}")]
    public static partial void MetricsEndpointFailed(this ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "admin socket at {Path}; metrics at {Metrics}")]
    public static partial void DiagnosticsListening(this ILogger logger, string path, string metrics);
}
