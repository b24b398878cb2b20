using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ManagedCephFuse.FuseFs.Tests.Support;
using ManagedCephFuse.TestSupport;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.Diagnostics;

/// <summary>
/// The daemon's observability surfaces for real: the published managed-cephfuse (memory backend) mounted
/// through the kernel with an admin socket and a metrics endpoint on 127.0.0.1; I/O through the mount; the
/// counters read with Debian's <c>ceph --admin-daemon</c>, with <c>managed-cephfuse daemon</c> and by scraping
/// the endpoint — and they moved by exactly what was done.
/// </summary>
[Trait("Category", "Kernel")]
public sealed class ObservabilityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcf-obs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    internal static (int ExitCode, string Output, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary><c>ceph --admin-daemon SOCKET words…</c> (the real CLI), parsed.</summary>
    internal static JsonDocument Ceph(string socket, params string[] words)
    {
        var (code, output, error) = Run("/usr/bin/ceph", ["--admin-daemon", socket, .. words]);
        Assert.True(code == 0, $"ceph --admin-daemon {socket} {string.Join(' ', words)}: exit {code}: {error}{output}");
        return JsonDocument.Parse(output);
    }

    /// <summary><c>managed-cephfuse daemon SOCKET words…</c>, parsed.</summary>
    internal static JsonDocument Ours(string socket, params string[] words)
    {
        var (code, output, error) = Run(Repository.Binary("managed-cephfuse"), ["daemon", socket, .. words]);
        Assert.True(code == 0, $"managed-cephfuse daemon {string.Join(' ', words)}: exit {code}: {error}{output}");
        return JsonDocument.Parse(output);
    }

    internal static async Task<Dictionary<string, double>> ScrapeAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            int space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return samples;
    }

    private static long Fuse(JsonDocument dump, string counter) => dump.RootElement.GetProperty("fuse").GetProperty(counter).GetInt64();

    [Fact]
    public async Task AdminSocketAndMetricsEndpointCountWhatTheMountDid()
    {
        string socket = Path.Combine(_directory, "daemon.asok");
        int port = FreePort();
        using (var mount = new DaemonMount("--admin-socket", socket, "--metrics-address", $"127.0.0.1:{port}", "-o", "entry_timeout=0,attr_timeout=0"))
        {
            Assert.True(File.Exists(socket), "no admin socket");
            string file = Path.Combine(mount.Path, "data");
            File.WriteAllBytes(file, new byte[4096]);

            using JsonDocument before = Ceph(socket, "perf", "dump");
            Dictionary<string, double> scrapedBefore = await ScrapeAsync(port);
            long writesBefore = before.RootElement.GetProperty("fuse_op_write").GetProperty("count").GetInt64();
            long getattrsBefore = before.RootElement.GetProperty("fuse_op_getattr").GetProperty("count").GetInt64();

            // 3 MiB written in 1 MiB writes, read back with O_DIRECT-free reads after dropping the page cache; 50 stats
            var block = new byte[1 << 20];
            Random.Shared.NextBytes(block);
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
            {
                for (int i = 0; i < 3; i++)
                    stream.Write(block);
            }
            for (int i = 0; i < 50; i++)
                _ = new FileInfo(file).Length;

            using JsonDocument after = Ceph(socket, "perf", "dump");
            Assert.Equal(3L << 20, Fuse(after, "bytes_written") - Fuse(before, "bytes_written"));
            long writes = after.RootElement.GetProperty("fuse_op_write").GetProperty("count").GetInt64() - writesBefore;
            Assert.InRange(writes, 3, 3 * 256); // 1 MiB writes, or smaller pieces if the kernel split them
            Assert.True(after.RootElement.GetProperty("fuse_op_getattr").GetProperty("count").GetInt64() - getattrsBefore >= 50,
                "attr_timeout=0: every stat reaches the daemon");
            JsonElement writeLatency = after.RootElement.GetProperty("fuse_op_write").GetProperty("backend_lat");
            Assert.True(writeLatency.GetProperty("sum").GetDouble() > 0 && writeLatency.GetProperty("avgcount").GetInt64() >= writes);

            // the same numbers through our client, and the endpoint
            using JsonDocument ours = Ours(socket, "perf", "dump", "fuse");
            Assert.Equal(Fuse(after, "bytes_written"), Fuse(ours, "bytes_written"));
            Dictionary<string, double> scraped = await ScrapeAsync(port);
            Assert.Equal(3L << 20, scraped["managed_cephfuse_written_bytes_total"] - scrapedBefore["managed_cephfuse_written_bytes_total"]);
            Assert.True(scraped["managed_cephfuse_requests_total{op=\"WRITE\"}"] - scrapedBefore["managed_cephfuse_requests_total{op=\"WRITE\"}"] >= writes);
            Assert.Equal(scraped["managed_cephfuse_requests_total{op=\"WRITE\"}"],
                scraped["managed_cephfuse_request_seconds_count{op=\"WRITE\",phase=\"backend\"}"]);
            Assert.True(scraped["process_resident_memory_bytes"] > 1 << 20);
            Assert.True(scraped["managed_cephfuse_reader_threads"] >= 1);

            // reading: after dropping the page cache, READ brings the bytes back through the daemon
            File.WriteAllText("/proc/sys/vm/drop_caches", "1");
            long readBefore = Fuse(Ours(socket, "perf", "dump", "fuse"), "bytes_read");
            Assert.Equal(block, File.ReadAllBytes(file).AsSpan(2 << 20).ToArray());
            Assert.Equal(3L << 20, Fuse(Ours(socket, "perf", "dump", "fuse"), "bytes_read") - readBefore);

            // where the time goes
            using JsonDocument ops = Ceph(socket, "fuse", "ops");
            JsonElement write = ops.RootElement.GetProperty("ops").EnumerateArray().Single(o => o.GetProperty("op").GetString() == "WRITE");
            Assert.True(write.GetProperty("backend").GetProperty("avg_us").GetDouble() > 0);
            Assert.True(write.GetProperty("total").GetProperty("p99_us").GetDouble() >= write.GetProperty("total").GetProperty("p50_us").GetDouble());

            // the rest of the command set
            using JsonDocument schema = Ceph(socket, "perf", "schema");
            Assert.Equal("real-integer-pair", schema.RootElement.GetProperty("fuse_op_read").GetProperty("backend_lat").GetProperty("value_type").GetString());
            using JsonDocument status = Ceph(socket, "status");
            Assert.Equal(mount.Path, status.RootElement.GetProperty("fuse").GetProperty("mount_point").GetString());
            Assert.Equal(mount.Pid, status.RootElement.GetProperty("fuse").GetProperty("pid").GetInt32());
            using JsonDocument setting = Ceph(socket, "config", "get", "fuse_attr_timeout");
            Assert.Equal("0", setting.RootElement.GetProperty("fuse_attr_timeout").GetString());
            using JsonDocument config = Ours(socket, "config", "show");
            Assert.Equal($"127.0.0.1:{port}", config.RootElement.GetProperty("metrics_address").GetString());
            using JsonDocument version = Ceph(socket, "version");
            Assert.Equal("managed-cephfuse", version.RootElement.GetProperty("release").GetString());
            using JsonDocument help = Ceph(socket, "help");
            Assert.True(help.RootElement.TryGetProperty("fuse ops", out _));
            var missing = Run(Repository.Binary("managed-cephfuse"), "daemon", socket, "config", "get", "no_such_option");
            Assert.Equal(1, missing.ExitCode);
            Assert.StartsWith("ERROR: (2) ", missing.Error, StringComparison.Ordinal);

            // perf reset: the counters start again
            Ceph(socket, "perf", "reset", "all").Dispose();
            Assert.Equal(0, Fuse(Ours(socket, "perf", "dump", "fuse"), "bytes_written"));

            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/other"))).StatusCode);
            Assert.Empty(mount.Errors);
        }
        Assert.False(File.Exists(socket), "the admin socket outlived the daemon");
    }

    [Fact]
    public void AClientOfAMissingSocketGetsOneLineAndExitCodeOne()
    {
        var (code, output, error) = Run(Repository.Binary("managed-cephfuse"), "daemon", Path.Combine(_directory, "none.asok"), "perf", "dump");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("managed-cephfuse daemon: ", error, StringComparison.Ordinal);
    }
}
