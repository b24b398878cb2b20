using ManagedCephFuse.CsiPlugin.Config;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Metrics;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Posix;
using ManagedCephFuse.CsiPlugin.Processes;
using ManagedCephFuse.CsiPlugin.Services;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace ManagedCephFuse.CsiPlugin;

/// <summary>
/// cephcsi: parses ceph-csi's flags, prepares ceph.conf and the Unix socket, and serves CSI over gRPC (HTTP/2
/// only) until SIGTERM/SIGINT, then stops gracefully and removes the socket.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        PluginOptions options;
        try
        {
            options = PluginOptions.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"cephcsi: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        if (options.ShowVersion)
        {
            Console.WriteLine($"cephcsi version {PluginVersion.Text} (ManagedCephFuse, CSI spec v1.10.0, type cephfs)");
            return 0;
        }
        if (options.ShowHelp)
        {
            Console.WriteLine(PluginOptions.Usage);
            return 0;
        }
        try
        {
            return await ServeAsync(options).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"cephcsi: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(PluginOptions options)
    {
        string socket = options.SocketPath;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socket, listen => listen.Protocols = HttpProtocols.Http2);
            if (options.MetricsAddress is { } metrics)
                kestrel.Listen(metrics, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<RpcInterceptor>());
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ClusterConfig(options.ConfigFile));
        builder.Services.AddSingleton(new CephConnector(options.CephConf));
        builder.Services.AddSingleton<RpcMetrics>();
        builder.Services.AddSingleton<MetricsExporter>();
        builder.Services.AddSingleton<SubvolumeCore>();
        builder.Services.AddSingleton<ControllerLocks>();
        builder.Services.AddSingleton<NodeLocks>();
        builder.Services.AddSingleton<StageRecords>();
        builder.Services.AddSingleton(new FuseMounter(options.FuseMounterBinary));
        builder.Services.AddSingleton(new KernelMounter(options.ForceKernelClient));
        builder.Services.AddSingleton<VolumeMounters>();

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("cephcsi");
        foreach (string flag in options.IgnoredFlagsSeen)
            Log.IgnoredFlag(logger, flag);
        if (CephConfFile.EnsureExists(options.CephConf))
            Log.WroteCephConf(logger, options.CephConf);
        if (options.RunsNode && !DaemonReaper.BecomeSubreaper())
            Log.NoSubreaper(logger);

        if (options.MetricsAddress is not null)
        {
            var exporter = app.Services.GetRequiredService<MetricsExporter>();
            _ = app.Services.GetRequiredService<RpcMetrics>(); // the meter exists from the start: every RPC is counted
            // only the TCP listener serves /metrics (gRPC is on the Unix socket, which has no IP address)
            app.MapWhen(context => context.Connection.LocalIpAddress is not null, metrics => metrics.Run(async context =>
            {
                if (context.Request.Path != "/metrics")
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                context.Response.ContentType = Shared.PrometheusText.ContentType;
                await context.Response.WriteAsync(exporter.Render()).ConfigureAwait(false);
            }));
        }
        app.MapGrpcService<IdentityService>();
        var services = new List<string> { "Identity" };
        if (options.RunsController)
        {
            app.MapGrpcService<ControllerService>();
            services.Add("Controller");
        }
        if (options.RunsNode)
        {
            app.MapGrpcService<NodeService>();
            services.Add("Node");
        }

        PrepareSocket(socket);
        // the socket is created with mode 0660 at most: no window in which others could connect
        uint previousMask = LibC.Umask(Convert.ToUInt32("117", 8));
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        finally
        {
            _ = LibC.Umask(previousMask);
        }
        File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        Log.Serving(logger, PluginVersion.Text, string.Join('+', services), options.DriverName, socket, options.NodeId, options.InstanceId);

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        File.Delete(socket);
        return 0;
    }

    /// <summary>Removes a socket left by an earlier run and makes its directory.</summary>
    private static void PrepareSocket(string socket)
    {
        if (Path.GetDirectoryName(socket) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        if (Directory.Exists(socket))
            throw new IOException($"the endpoint {socket} is a directory");
        File.Delete(socket); // a missing file is fine
    }
}
