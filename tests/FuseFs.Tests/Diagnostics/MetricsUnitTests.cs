using System.Text;
using System.Text.Json;
using ManagedCephFuse.FuseFs.Diagnostics;
using ManagedCephFuse.FuseFs.Hosting;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Memory;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.Diagnostics;

/// <summary>
/// The metrics without a kernel: histogram buckets and quantiles, the per-opcode counters a session feeds, the
/// admin socket's commands (JSON shapes, forwarding, errors) and the client's command building.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MetricsUnitTests
{
    [Fact]
    public void BucketsCoverEveryLatencyInOrderAndQuantilesLandInTheirBucket()
    {
        long previous = 0;
        for (int b = 0; b < LatencyHistogram.BucketCount - 1; b++)
        {
            long upper = LatencyHistogram.UpperBoundNanoseconds(b);
            Assert.True(upper > previous, $"bucket {b}");
            Assert.Equal(b, LatencyHistogram.BucketOf(upper - 1));
            Assert.Equal(b + 1, LatencyHistogram.BucketOf(upper));
            Assert.True(b == 0 || upper <= previous * 1.26, $"bucket {b} is {upper / (double)previous:0.00}x the previous");
            previous = upper;
        }
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketOf(long.MaxValue));

        var h = new LatencyHistogram();
        for (int i = 0; i < 98; i++)
            h.Record(10_000); // 10 µs
        h.Record(1_000_000);  // 1 ms
        h.Record(50_000_000); // 50 ms
        Assert.Equal(100, h.Count);
        Assert.Equal(98 * 10_000L + 1_000_000 + 50_000_000, h.SumNanoseconds);
        Assert.Equal(50_000_000, h.MaxNanoseconds);
        Assert.InRange(h.Quantile(0.5), 8_192, 10_240); // inside the 10 µs bucket
        Assert.InRange(h.Quantile(0.99), 1_000_000, 1_250_000);
        Assert.Equal(50_000_000, h.Quantile(1.0));
        h.Reset();
        Assert.Equal((0L, 0L, 0L), (h.Count, h.SumNanoseconds, h.Quantile(0.5)));
    }

    [Fact]
    public void TheSessionFeedsCountsErrorsBytesAndPhases()
    {
        using var session = new UnitSession(new MemoryFileSystem());
        var metrics = new FuseMetrics();
        session.Session.Observer = metrics;
        session.Send(Requests.Build(FuseOpcode.Create, 10, 1, Requests.Struct(new FuseCreateIn { Flags = 0x42, Mode = 0x81A4 }), Requests.Name("f")));
        session.Send(Requests.Build(FuseOpcode.Write, 12, 2, Requests.Struct(new FuseWriteIn { Fh = 1, Size = 5000 }), new byte[5000]));
        session.Send(Requests.Build(FuseOpcode.Write, 14, 2, Requests.Struct(new FuseWriteIn { Fh = 1, Offset = 5000, Size = 3000 }), new byte[3000]));
        session.Send(Requests.Build(FuseOpcode.Read, 16, 2, Requests.Struct(new FuseReadIn { Fh = 1, Size = 65536 })));
        session.Send(Requests.Build(FuseOpcode.Lookup, 18, 1, Requests.Name("missing")));
        session.Send(Requests.Build(FuseOpcode.Lookup, 20, 1, Requests.Name("missing")));

        Assert.Equal(8000, metrics.BytesWritten);
        Assert.Equal(8000, metrics.BytesRead);
        Assert.Equal(2, metrics.Of(FuseOpcode.Write).Count);
        Assert.Equal((2L, 2L), (metrics.Of(FuseOpcode.Lookup).Count, metrics.Of(FuseOpcode.Lookup).Errors));
        Assert.Equal(0, metrics.Of(FuseOpcode.Read).Errors);
        Assert.Equal(0, metrics.InFlight);
        FuseMetrics.OpStats write = metrics.Of(FuseOpcode.Write);
        Assert.Equal(2, write.Backend.Count);
        Assert.True(write.Backend.SumNanoseconds > 0 && write.Reply.Count == 2 && write.Queue.Count == 2);
        Assert.True(write.Total.SumNanoseconds >= write.Backend.SumNanoseconds);
        Assert.Equal(1 + 2 + 1 + 2, metrics.Requests); // INIT came before the observer

        metrics.Reset();
        Assert.Equal((0L, 0L, 0L), (metrics.Requests, metrics.BytesRead, metrics.BytesWritten));
    }

    private static AdminCommands Commands(FuseMetrics metrics, Func<byte[], byte[]?>? forward = null) =>
        new(new DaemonDiagnostics
        {
            Metrics = metrics,
            Backend = "memory",
            MountPoint = "/mnt/x",
            Settings = [new("fuse_max_threads", "64")],
        }, forward ?? (_ => null));

    private static JsonDocument Json(byte[] answer) => JsonDocument.Parse(answer);

    [Fact]
    public void PerfDumpMergesTheClientsLoggersWithOursAndFiltersByLoggerAndCounter()
    {
        var metrics = new FuseMetrics();
        metrics.OnRequestStarted(FuseOpcode.Read);
        metrics.OnRequest(FuseOpcode.Read, 1000, 2000, 5000, 6000, 0, 4096);
        string? forwarded = null;
        var commands = Commands(metrics, request =>
        {
            forwarded = Encoding.UTF8.GetString(request);
            return forwarded.Contains("perf dump", StringComparison.Ordinal)
                ? """{"client": {"reply": {"avgcount": 3, "sum": 0.5, "avgtime": 0.1666}}}"""u8.ToArray()
                : null;
        });

        using (JsonDocument all = Json(commands.Execute("""{"prefix": "perf dump"}"""u8.ToArray())))
        {
            Assert.Equal(3, all.RootElement.GetProperty("client").GetProperty("reply").GetProperty("avgcount").GetInt32());
            Assert.Equal(4096, all.RootElement.GetProperty("fuse").GetProperty("bytes_read").GetInt64());
            JsonElement read = all.RootElement.GetProperty("fuse_op_read");
            Assert.Equal(1, read.GetProperty("count").GetInt64());
            Assert.Equal(1, read.GetProperty("backend_lat").GetProperty("avgcount").GetInt64());
            Assert.True(all.RootElement.TryGetProperty("fuse_op_lookup", out _)); // every served opcode, used or not
        }
        forwarded = null;
        using (JsonDocument one = Json(commands.Execute("""{"prefix": "perf dump", "logger": "fuse_op_read", "counter": "count"}"""u8.ToArray())))
        {
            Assert.Null(forwarded); // ours: libcephfs is not asked
            JsonProperty only = Assert.Single(one.RootElement.EnumerateObject());
            Assert.Equal("fuse_op_read", only.Name);
            Assert.Equal("count", Assert.Single(only.Value.EnumerateObject()).Name);
        }
        // not ours: goes to libcephfs as it came
        commands.Execute("""{"prefix": "perf dump", "logger": "objecter"}"""u8.ToArray());
        Assert.Contains("objecter", forwarded, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommandsAreForwardedOrRefusedTheWayCephWordsIt()
    {
        var commands = Commands(new FuseMetrics());
        Assert.Equal("ERROR: (22) Invalid argument\ninvalid json\n", Encoding.UTF8.GetString(commands.Execute("perf dump"u8.ToArray())));
        Assert.Equal("ERROR: (22) Invalid argument\nunknown command prefix dump_cache\n",
            Encoding.UTF8.GetString(commands.Execute("""{"prefix": "dump_cache"}"""u8.ToArray())));
        Assert.StartsWith("ERROR: (2) ", Encoding.UTF8.GetString(commands.Execute("""{"prefix": "config get", "var": "nosuch"}"""u8.ToArray())), StringComparison.Ordinal);
        using JsonDocument setting = Json(commands.Execute("""{"prefix": "config get", "var": "fuse_max_threads"}"""u8.ToArray()));
        Assert.Equal("64", setting.RootElement.GetProperty("fuse_max_threads").GetString());

        var forwarding = Commands(new FuseMetrics(), _ => """{"cache": []}"""u8.ToArray());
        using JsonDocument cache = Json(forwarding.Execute("""{"prefix": "dump_cache"}"""u8.ToArray()));
        Assert.Equal(JsonValueKind.Array, cache.RootElement.GetProperty("cache").ValueKind);
    }

    [Fact]
    public void TheClientBuildsCommandsFromTheDescriptionsAsCephDoes()
    {
        var commands = Commands(new FuseMetrics());
        byte[] descriptions = commands.Execute("""{"prefix": "get_command_descriptions"}"""u8.ToArray());
        byte[]? dump = AdminSocketClient.BuildCommand(descriptions, ["perf", "dump", "fuse", "requests"], out _);
        Assert.Equal("""{"prefix":"perf dump","logger":"fuse","counter":"requests"}""", Encoding.UTF8.GetString(dump!));
        Assert.Equal("""{"prefix":"fuse ops"}""", Encoding.UTF8.GetString(AdminSocketClient.BuildCommand(descriptions, ["fuse", "ops"], out _)!));
        Assert.Null(AdminSocketClient.BuildCommand(descriptions, ["config", "get"], out string missing));
        Assert.Contains("missing argument <var>", missing, StringComparison.Ordinal);
        Assert.Null(AdminSocketClient.BuildCommand(descriptions, ["no", "such"], out string unknown));
        Assert.Contains("unknown command", unknown, StringComparison.Ordinal);
        Assert.Null(AdminSocketClient.BuildCommand(descriptions, ["version", "extra"], out string extra));
        Assert.Contains("too many arguments", extra, StringComparison.Ordinal);
    }

    [Fact]
    public void FuseOpsPutsTheOpcodeThatTookMostTimeFirstWithItsPhases()
    {
        var metrics = new FuseMetrics();
        for (int i = 0; i < 10; i++)
        {
            metrics.OnRequestStarted(FuseOpcode.GetAttr);
            metrics.OnRequest(FuseOpcode.GetAttr, 0, 100, 200, 300, 0, 0);
        }
        metrics.OnRequestStarted(FuseOpcode.Write);
        metrics.OnRequest(FuseOpcode.Write, 0, 1_000_000, 900_000_000, 901_000_000, 0, 1 << 20);
        metrics.OnRequestStarted(FuseOpcode.Write); // still in flight
        using JsonDocument ops = Json(Commands(metrics).Execute("""{"prefix": "fuse ops"}"""u8.ToArray()));
        JsonElement[] list = ops.RootElement.GetProperty("ops").EnumerateArray().ToArray();
        Assert.Equal(["WRITE", "GETATTR"], list.Select(o => o.GetProperty("op").GetString()));
        Assert.Equal(1, list[0].GetProperty("in_flight").GetInt64());
        Assert.True(list[0].GetProperty("backend").GetProperty("avg_us").GetDouble() > list[0].GetProperty("reply").GetProperty("avg_us").GetDouble());
        Assert.Equal(1 << 20, ops.RootElement.GetProperty("bytes_written").GetInt64());
    }

    [Fact]
    public void PrometheusTextHasCountersHistogramsAndEscapedLabels()
    {
        var metrics = new FuseMetrics();
        metrics.OnRequestStarted(FuseOpcode.Lookup);
        metrics.OnRequest(FuseOpcode.Lookup, 0, 0, 5000 * (System.Diagnostics.Stopwatch.Frequency / 1_000_000), 5000 * (System.Diagnostics.Stopwatch.Frequency / 1_000_000), ENOENT, 0);
        var diagnostics = new DaemonDiagnostics { Metrics = metrics, Backend = "memory", MountPoint = "/mnt/\"q\"", Settings = [] };
        string text = PrometheusExporter.Render(diagnostics);
        Assert.Contains("managed_cephfuse_requests_total{op=\"LOOKUP\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("managed_cephfuse_request_errors_total{op=\"LOOKUP\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("managed_cephfuse_request_seconds_bucket{op=\"LOOKUP\",phase=\"backend\",le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("managed_cephfuse_request_seconds_bucket{op=\"LOOKUP\",phase=\"backend\",le=\"0.004194304\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("managed_cephfuse_request_seconds_bucket{op=\"LOOKUP\",phase=\"backend\",le=\"0.008388608\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("mount_point=\"/mnt/\\\"q\\\"\"", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l == "# TYPE managed_cephfuse_request_seconds histogram");
        Assert.DoesNotContain("op=\"GETATTR\"", text, StringComparison.Ordinal); // unused opcodes are left out
    }
    [Fact]
    public void AdminSocketPathFollowsCephsRules()
    {
        string runDir = Directory.CreateTempSubdirectory("asok").FullName;
        try
        {
            string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Null(AdminSocketPath.Resolve("", "/conf/x.asok", "ceph", "client.a", runDir)); // --admin-socket "" : none
            Assert.Equal("/given/c.asok", AdminSocketPath.Resolve("/given/c.asok", "/conf/x.asok", "ceph", "client.a", runDir));
            Assert.Equal("/conf/ceph-a-client.asok", AdminSocketPath.Resolve(null, "/conf/$cluster-$id-$type.asok", "ceph", "client.a", runDir));
            Assert.Equal($"{runDir}/prod-client.fs.{pid}.asok", AdminSocketPath.Resolve(null, null, "prod", "client.fs", runDir));
            // the default place only where it can be made: not in a missing directory (nor, for a user, in root's)
            Assert.Null(AdminSocketPath.Resolve(null, null, "ceph", "client.a", Path.Combine(runDir, "missing")));
            Assert.Equal("/x/y.libcephfs.asok", AdminSocketPath.ForLibcephfs("/x/y.asok"));
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }
}
