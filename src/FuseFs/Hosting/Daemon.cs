using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Diagnostics;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Interop;
using Microsoft.Extensions.Logging;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Hosting;

/// <summary>
/// The daemon: mount, serve, and say <c>ceph-fuse[PID]: starting fuse</c> once INIT is answered; as the launcher's
/// child, leave the launcher's session (setsid) and let go of its stdio. SIGTERM/SIGINT unmount and exit 0; an
/// unmount from outside (umount, fusermount3 -u) ends the session and the daemon.
/// </summary>
internal static class Daemon
{
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(30);

    public static int Run(CommandLine commandLine)
    {
        int pid = Environment.ProcessId;
        if (commandLine.DaemonChild)
            LibC.SetSid(); // not killed with the caller's process group or session

        using ILoggerFactory loggers = CreateLoggers(commandLine.Debug);
        ILogger log = loggers.CreateLogger("managed-cephfuse");
        string mountPoint = Path.GetFullPath(commandLine.MountPoint!);
        using ServedFileSystem? served = Backends.Create(commandLine, log, out string error);
        if (served is null)
        {
            Console.Error.WriteLine($"ceph-fuse[{pid}]: {error}");
            return 1;
        }
        MountOptionSet o = commandLine.MountOptions;
        var options = new FuseMountOptions
        {
            MountPoint = mountPoint,
            FsName = served.FsName,
            Subtype = served.Subtype,
            AllowOther = o.AllowOther ?? LibC.GetUid() == 0, // non-root needs user_allow_other in /etc/fuse.conf
            DefaultPermissions = served.DefaultPermissions,
            ReadOnly = o.ReadOnly,
            MountFlags = o.MountFlags,
            WritebackCache = o.WritebackCache,
            MaxWrite = o.MaxWrite ?? (1 << 20),
            MaxInFlight = o.MaxThreads ?? 64,
            MinReaders = o.MinThreads ?? Math.Max(2, Environment.ProcessorCount),
            ReadAheadKb = o.ReadAheadKb ?? 4096,
            ExtraKernelOptions = o.ExtraKernelOptions,
        };

        FuseSession session;
        try
        {
            session = FuseSession.Mount(served.FileSystem, options, log, trace: commandLine.Debug);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"ceph-fuse[{pid}]: fuse failed to start: {e.Message}");
            return 1;
        }

        var metrics = new FuseMetrics { Readers = () => session.Readers };
        session.Observer = metrics;
        var diagnostics = new DaemonDiagnostics
        {
            Metrics = metrics,
            Backend = served.Backend,
            MountPoint = mountPoint,
            FileSystem = served.FileSystem as IReportsGauges,
            ClientAdminSocket = served.ClientAdminSocket,
            CephVersion = served.CephVersion,
            Settings = Settings(served, options, commandLine),
        };
        using (session)
        using (var meter = new FuseMeter(metrics))
        using (AdminSocketServer? adminSocket = served.AdminSocket is { } socketPath
            ? AdminSocketServer.Start(socketPath, new AdminCommands(diagnostics, Forwarder(served.ClientAdminSocket)), log)
            : null)
        using (MetricsEndpoint? endpoint = commandLine.MetricsAddress is { } address
            ? MetricsEndpoint.Start(MetricsEndpoint.Parse(address)!, () => PrometheusExporter.Render(diagnostics), log)
            : null)
        {
            if (adminSocket is not null || endpoint is not null)
                log.DiagnosticsListening(adminSocket?.Path ?? "(none)", endpoint is null ? "(none)" : $"http://{endpoint.Address}/metrics");
            using var stop = new ManualResetEventSlim();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Set();
            }
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, static context => context.Cancel = true);

            session.Start();
            if (!session.WaitForInit(InitTimeout))
            {
                Console.Error.WriteLine($"ceph-fuse[{pid}]: fuse failed to start: the kernel did not complete FUSE INIT on {mountPoint}");
                session.Unmount(lazy: true);
                return 1;
            }
            AnnounceStarted(pid, commandLine.DaemonChild ? commandLine.CephOption("log_file") : null, commandLine.DaemonChild);

            WaitHandle.WaitAny([stop.WaitHandle, session.EndedHandle]);
            if (!session.HasEnded)
                Shutdown(session, log);
            log.Finished(pid);
        } // the session stops and drains here, before the file system it serves is disposed
        return 0;
    }

    /// <summary>
    /// ceph-fuse's handshake line. As the launcher's child the daemon first lets go of the launcher's stdio and says
    /// the line on a copy of the old stderr: by the time the launcher reads it (and exits), the daemon holds none of
    /// the pipes its caller may be reading to EOF.
    /// </summary>
    private static unsafe void AnnounceStarted(int pid, string? logFile, bool detach)
    {
        string line = $"ceph-fuse[{pid}]: starting fuse\n";
        if (!detach)
        {
            Console.Error.Write(line);
            Console.Error.Flush();
            return;
        }
        Console.Error.Flush();
        int launcher = LibC.Fcntl(2, LibC.F_DUPFD_CLOEXEC, 3);
        Detach(logFile);
        if (launcher < 0)
            return;
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(line);
        fixed (byte* p = bytes)
            _ = LibC.Write(launcher, p, (nuint)bytes.Length);
        LibC.Close(launcher);
    }

    /// <summary>Commands the daemon does not answer go to libcephfs's own admin socket (when there is one).</summary>
    private static Func<byte[], byte[]?> Forwarder(string? clientSocket) =>
        clientSocket is null
            ? static _ => null
            : request => AdminSocketClient.TrySend(clientSocket, request, TimeSpan.FromSeconds(10));

    /// <summary>The daemon's own settings, for <c>config get/show</c> (libcephfs answers for its options).</summary>
    private static List<KeyValuePair<string, string>> Settings(ServedFileSystem served, FuseMountOptions options, CommandLine commandLine)
    {
        static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            new("fuse_backend", served.Backend),
            new("fuse_mount_point", options.MountPoint),
            new("fuse_max_threads", options.MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("fuse_min_threads", options.MinReaders.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("fuse_max_write", options.MaxWrite.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("fuse_max_background", options.MaxBackground.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("fuse_read_ahead_kb", options.ReadAheadKb.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("fuse_entry_timeout", Seconds(served.EntryTimeout)),
            new("fuse_attr_timeout", Seconds(served.AttrTimeout)),
            new("fuse_default_permissions", served.DefaultPermissions ? "true" : "false"),
            new("fuse_writeback_cache", options.WritebackCache ? "true" : "false"),
            new("admin_socket", served.AdminSocket ?? ""),
            new("metrics_address", commandLine.MetricsAddress ?? ""),
        ];
    }

    /// <summary>SIGTERM/SIGINT: unmount (lazily when busy) and give the readers a moment to see ENODEV.</summary>
    private static void Shutdown(FuseSession session, ILogger log)
    {
        int result = session.Unmount(lazy: false);
        if (result == EBUSY)
        {
            log.BusyDetaching(session.MountPoint);
            result = session.Unmount(lazy: true);
        }
        if (result != 0)
            log.UnmountFailed(session.MountPoint, result);
        if (!session.Wait(TimeSpan.FromSeconds(3)))
            log.ExitingWithOpenFiles();
    }

    /// <summary>
    /// Lets go of the launcher's stdio: stdin and stdout to /dev/null, stderr to the log file (log_file) or
    /// /dev/null. Whoever waits for EOF on the launcher's pipes sees it.
    /// </summary>
    private static void Detach(string? logFile)
    {
        int devNull = LibC.Open("/dev/null", LibC.O_RDWR, 0);
        if (devNull < 0)
            return;
        int errorTarget = devNull;
        if (!string.IsNullOrEmpty(logFile))
        {
            const int O_CREAT = 0x40, O_APPEND = 0x400;
            int fd = LibC.Open(logFile, LibC.O_WRONLY | O_CREAT | O_APPEND | LibC.O_CLOEXEC, 0x1A4); // 0644
            if (fd >= 0)
                errorTarget = fd;
        }
        LibC.Dup2(devNull, 0);
        LibC.Dup2(devNull, 1);
        LibC.Dup2(errorTarget, 2);
        if (errorTarget != devNull)
            LibC.Close(errorTarget);
        LibC.Close(devNull);
    }

    private static ILoggerFactory CreateLoggers(bool debug) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(debug ? LogLevel.Debug : LogLevel.Information);
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.ffffff ";
            });
        });
}

/// <summary>The host's log messages.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "ceph-fuse[{Pid}]: fuse finished")]
    public static partial void Finished(this ILogger logger, int pid);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{MountPoint} is busy; detaching it (lazy unmount)")]
    public static partial void BusyDetaching(this ILogger logger, string mountPoint);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "unmounting {MountPoint} failed: errno {Errno}")]
    public static partial void UnmountFailed(this ILogger logger, string mountPoint, int errno);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "files are still open on the detached mount; exiting drops them (ENOTCONN)")]
    public static partial void ExitingWithOpenFiles(this ILogger logger);
}
