using System.Diagnostics;
using Csi.V1;
using Xunit.Abstractions;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>The cephcsi process itself: flags, socket, ceph.conf, shutdown.</summary>
[Trait("Category", "Cluster")]
public sealed class PluginProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SocketIsPrivateStaleSocketIsReplacedAndSigtermStopsCleanly()
    {
        string? stale = null;
        var clock = Stopwatch.StartNew();
        await using var plugin = await CsiPluginProcess.StartAsync(args =>
        {
            // leave a stale file where the socket goes, as a crashed plugin would
            string endpoint = args.Single(a => a.StartsWith("--endpoint=unix://", StringComparison.Ordinal))["--endpoint=unix://".Length..];
            Directory.CreateDirectory(Path.GetDirectoryName(endpoint)!);
            File.WriteAllText(endpoint, "stale");
            stale = endpoint;
        });
        output.WriteLine($"{CsiPluginProcess.PluginBinary}: start to first Probe answer {clock.ElapsedMilliseconds} ms");
        Assert.Equal(plugin.SocketPath, stale);
        var mode = File.GetUnixFileMode(plugin.SocketPath);
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute));
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute));

        // the minimal ceph.conf: cephx, no monitors
        string conf = await File.ReadAllTextAsync(plugin.CephConf);
        Assert.Contains("auth_client_required = cephx", conf, StringComparison.Ordinal);
        Assert.DoesNotContain("mon_host", conf, StringComparison.Ordinal);
        Assert.DoesNotContain("mon host", conf, StringComparison.Ordinal);

        Assert.Equal("cephfs.csi.ceph.com", (await plugin.Identity.GetPluginInfoAsync(new GetPluginInfoRequest())).Name);
        Assert.True(await plugin.StopAsync(TimeSpan.FromSeconds(15)), "cephcsi did not stop on SIGTERM");
        Assert.Equal(0, plugin.ExitCode);
        Assert.False(File.Exists(plugin.SocketPath));
    }

    [Fact]
    public async Task MetricsEndpointCountsRpcsByMethodAndCode()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var plugin = await CsiPluginProcess.StartAsync(args => args.Add($"--metrics-address=127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var metrics = new Uri($"http://127.0.0.1:{port}/metrics");
        const string info = "csi_rpc_requests_total{method=\"/csi.v1.Identity/GetPluginInfo\",code=\"OK\"}";
        double Sample(string text, string name) =>
            text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
                .Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();

        string before = await http.GetStringAsync(metrics);
        for (int i = 0; i < 3; i++)
            await plugin.Identity.GetPluginInfoAsync(new GetPluginInfoRequest());
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await plugin.Controller.DeleteVolumeAsync(new DeleteVolumeRequest()));
        string after = await http.GetStringAsync(metrics);
        output.WriteLine(after);

        Assert.Equal(3, Sample(after, info) - Sample(before, info));
        Assert.Equal(1, Sample(after, "csi_rpc_requests_total{method=\"/csi.v1.Controller/DeleteVolume\",code=\"InvalidArgument\"}"));
        Assert.Equal(Sample(after, info), Sample(after, "csi_rpc_duration_seconds_count{method=\"/csi.v1.Identity/GetPluginInfo\",code=\"OK\"}"));
        Assert.Contains("# TYPE csi_rpc_duration_seconds histogram", after, StringComparison.Ordinal);
        Assert.Equal(0, Sample(after, "csi_rpc_active{method=\"/csi.v1.Identity/GetPluginInfo\"}"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/other"))).StatusCode);
    }

    [Fact]
    public async Task VersionAndBadFlags()
    {
        var version = await RunAsync("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("cephcsi version ", version.Stdout, StringComparison.Ordinal);

        foreach (string[] bad in new[] { new[] { "--type=rbd", "--nodeid=n" }, ["--no-such-flag=1"], ["--nodeserver=true"], ["--endpoint=tcp://127.0.0.1:9000", "--nodeid=n"], ["--metrics-address=nowhere", "--nodeid=n"] })
        {
            var clock = Stopwatch.StartNew();
            var result = await RunAsync(bad);
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith("cephcsi: ", result.Stderr, StringComparison.Ordinal);
            Assert.Single(result.Stderr.Trim().Split('\n'));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        using var process = CsiPluginProcess.Launch(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
