using System.Text;
using System.Text.Json;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// The admin socket's commands, as Ceph daemons answer them: a JSON request (<c>{"prefix": "perf dump", …}</c>)
/// in, indented JSON out, errors as <c>ERROR: (errno) text</c> lines — what <c>ceph --admin-daemon</c> expects.
/// The daemon's own numbers are merged into libcephfs's answers (<c>perf dump</c> gets a <c>fuse</c> logger and a
/// <c>fuse_op_&lt;opcode&gt;</c> logger per opcode next to libcephfs's <c>client</c>, <c>objecter</c>, …), and
/// every command we do not know goes to libcephfs's own socket (<c>dump_cache</c>, <c>mds_requests</c>,
/// <c>config set</c>, …). <c>fuse ops</c> is ours: per opcode, where the time goes.
/// </summary>
internal sealed class AdminCommands(DaemonDiagnostics diagnostics, Func<byte[], byte[]?> forward)
{
    private sealed record Argument(string Name, bool Required, bool Many = false);

    private sealed record Command(string Prefix, Argument[] Arguments, string Help);

    private static readonly Command[] Ours =
    [
        new("fuse ops", [new("op", false)], "where the time goes per FUSE opcode: count, errors, in flight, queue/backend/reply/total latency (avg, p50, p99, max in µs), sorted by total time"),
        new("perf dump", [new("logger", false), new("counter", false)], "dump perfcounters value"),
        new("perf schema", [], "dump perfcounters schema"),
        new("perf reset", [new("var", true)], "perf reset <name>: perf reset all or one perfcounter name"),
        new("status", [], "show overall client status"),
        new("config get", [new("var", true)], "config get <field>: get the config value"),
        new("config show", [], "dump current config settings"),
        new("version", [], "get version"),
        new("help", [], "list available commands"),
        new("get_command_descriptions", [], "list available commands"),
    ];

    private const string FuseLogger = "fuse";
    private const string OpLoggerPrefix = "fuse_op_";

    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        IndentSize = 4,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // text for people and jq, not HTML
    };

    /// <summary>Answers one request (the bytes before the terminating NUL).</summary>
    public byte[] Execute(byte[] request)
    {
        string prefix;
        Dictionary<string, string> arguments = new(StringComparer.Ordinal);
        try
        {
            using JsonDocument document = JsonDocument.Parse(request);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("prefix", out JsonElement p) || p.ValueKind != JsonValueKind.String)
                return Error(22, "invalid json");
            prefix = p.GetString()!;
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                arguments[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Array => string.Join(' ', property.Value.EnumerateArray().Select(e => e.ToString())),
                    _ => property.Value.GetRawText(),
                };
            }
        }
        catch (JsonException)
        {
            return Error(22, "invalid json");
        }

        string? Arg(string name) => arguments.TryGetValue(name, out string? v) && v.Length > 0 ? v : null;
        switch (prefix)
        {
            case "get_command_descriptions":
                return Descriptions(forward(request));
            case "help":
                return Help(forward(request));
            case "perf dump":
                return PerfDump(request, Arg("logger"), Arg("counter"));
            case "perf schema":
                return PerfSchema(request);
            case "perf reset":
                return PerfReset(request, Arg("var"));
            case "status":
                return Status(forward(request));
            case "config get":
                return ConfigGet(request, Arg("var"));
            case "config show":
                return ConfigShow(forward(request));
            case "version":
                return Json(w =>
                {
                    w.WriteString("version", Hosting.Entry.Version);
                    w.WriteString("release", "managed-cephfuse");
                    w.WriteString("release_type", "stable");
                    if (diagnostics.CephVersion is { } ceph)
                        w.WriteString("libcephfs_version", ceph);
                });
            case "fuse ops":
                return FuseOps(Arg("op"));
            default:
                return forward(request) ?? Error(22, $"unknown command prefix {prefix}");
        }
    }

    // ---- commands -----------------------------------------------------------------------------------

    private static byte[] Descriptions(byte[]? clients)
    {
        var ours = new HashSet<string>(Ours.Select(c => c.Prefix), StringComparer.Ordinal);
        return Json(w =>
        {
            int n = 0;
            foreach (Command command in Ours)
            {
                w.WriteStartObject($"cmd{n++:000}");
                w.WriteStartArray("sig");
                foreach (string word in command.Prefix.Split(' '))
                    w.WriteStringValue(word);
                foreach (Argument argument in command.Arguments)
                {
                    w.WriteStartObject();
                    w.WriteString("name", argument.Name);
                    w.WriteString("type", "CephString");
                    if (!argument.Required)
                        w.WriteString("req", "false");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("help", command.Help);
                w.WriteEndObject();
            }
            foreach (JsonProperty command in Properties(clients))
            {
                // libcephfs's commands that we do not answer ourselves
                if (command.Value.ValueKind != JsonValueKind.Object || !command.Value.TryGetProperty("sig", out JsonElement sig))
                    continue;
                string words = string.Join(' ', sig.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()));
                if (ours.Contains(words))
                    continue;
                w.WritePropertyName($"cmd{n++:000}");
                command.Value.WriteTo(w);
            }
        });
    }

    private static byte[] Help(byte[]? clients) => Json(w =>
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (Command command in Ours)
        {
            w.WriteString(command.Prefix, command.Help);
            written.Add(command.Prefix);
        }
        foreach (JsonProperty command in Properties(clients))
        {
            if (written.Add(command.Name))
                command.WriteTo(w);
        }
    });

    private byte[] PerfDump(byte[] request, string? logger, string? counter)
    {
        if (logger is not null && !IsOurLogger(logger))
            return forward(request) ?? Error(22, $"no such logger {logger}");
        byte[]? clients = logger is null ? forward(request) : null;
        return Json(w =>
        {
            foreach (JsonProperty section in Properties(clients))
                section.WriteTo(w);
            if (logger is null or FuseLogger)
                WriteFuseLogger(w, counter);
            foreach (FuseMetrics.OpStats op in OpsShown())
            {
                string name = OpLoggerPrefix + op.Name.ToLowerInvariant();
                if (logger is not null && logger != name)
                    continue;
                w.WriteStartObject(name);
                Counter(w, counter, "count", op.Count);
                Counter(w, counter, "errors", op.Errors);
                Counter(w, counter, "in_flight", op.InFlight);
                Latency(w, counter, "queue_lat", op.Queue);
                Latency(w, counter, "backend_lat", op.Backend);
                Latency(w, counter, "reply_lat", op.Reply);
                Latency(w, counter, "total_lat", op.Total);
                w.WriteEndObject();
            }
        });
    }

    private void WriteFuseLogger(Utf8JsonWriter w, string? counter)
    {
        FuseMetrics m = diagnostics.Metrics;
        (int threads, int idle) = m.Readers?.Invoke() ?? (0, 0);
        w.WriteStartObject(FuseLogger);
        Counter(w, counter, "requests", m.Requests);
        Counter(w, counter, "errors", m.Ops.Sum(o => o.Errors));
        Counter(w, counter, "in_flight", m.InFlight);
        Counter(w, counter, "reader_threads", threads);
        Counter(w, counter, "idle_readers", idle);
        Counter(w, counter, "bytes_read", m.BytesRead);
        Counter(w, counter, "bytes_written", m.BytesWritten);
        foreach (Gauge gauge in diagnostics.Gauges())
            Counter(w, counter, gauge.Name, gauge.Value);
        w.WriteEndObject();
    }

    private byte[] PerfSchema(byte[] request) => Json(w =>
    {
        foreach (JsonProperty section in Properties(forward(request)))
            section.WriteTo(w);
        w.WriteStartObject(FuseLogger);
        Schema(w, "requests", counter: true, "FUSE requests answered", "none");
        Schema(w, "errors", counter: true, "FUSE requests answered with an error", "none");
        Schema(w, "in_flight", counter: false, "FUSE requests being served", "none");
        Schema(w, "reader_threads", counter: false, "reader threads (each reads /dev/fuse and serves what it reads)", "none");
        Schema(w, "idle_readers", counter: false, "reader threads waiting in read()", "none");
        Schema(w, "bytes_read", counter: true, "bytes returned by READ", "bytes");
        Schema(w, "bytes_written", counter: true, "bytes accepted by WRITE", "bytes");
        foreach (Gauge gauge in diagnostics.Gauges())
            Schema(w, gauge.Name, counter: false, gauge.Description, "none");
        w.WriteEndObject();
        foreach (FuseMetrics.OpStats op in OpsShown())
        {
            w.WriteStartObject(OpLoggerPrefix + op.Name.ToLowerInvariant());
            Schema(w, "count", counter: true, $"{op.Name} requests answered", "none");
            Schema(w, "errors", counter: true, $"{op.Name} requests answered with an error", "none");
            Schema(w, "in_flight", counter: false, $"{op.Name} requests being served", "none");
            LatencySchema(w, "queue_lat", $"{op.Name}: read() returned to handler called (decode, dispatch)");
            LatencySchema(w, "backend_lat", $"{op.Name}: in the file system's handler (libcephfs)");
            LatencySchema(w, "reply_lat", $"{op.Name}: writing the reply");
            LatencySchema(w, "total_lat", $"{op.Name}: read() returned to reply written");
            w.WriteEndObject();
        }
    });

    private byte[] PerfReset(byte[] request, string? name)
    {
        if (name is null)
            return Error(22, "perf reset needs a name: all, or a logger");
        if (name == "all" || name == FuseLogger)
        {
            diagnostics.Metrics.Reset();
            if (name == "all")
                forward(request);
        }
        else if (name.StartsWith(OpLoggerPrefix, StringComparison.Ordinal) && FindOp(name[OpLoggerPrefix.Length..]) is { } op)
        {
            op.Reset();
        }
        else
        {
            return forward(request) ?? Error(22, $"no such perf counter {name}");
        }
        return Json(w => w.WriteString("success", $"perf reset {name}"));
    }

    private byte[] Status(byte[]? clients) => Json(w =>
    {
        foreach (JsonProperty property in Properties(clients))
            property.WriteTo(w);
        FuseMetrics m = diagnostics.Metrics;
        (int threads, int idle) = m.Readers?.Invoke() ?? (0, 0);
        w.WriteStartObject(FuseLogger);
        w.WriteString("mount_point", diagnostics.MountPoint);
        w.WriteString("backend", diagnostics.Backend);
        w.WriteNumber("pid", diagnostics.Pid);
        w.WriteString("version", Hosting.Entry.Version);
        w.WriteNumber("uptime", Math.Round((DateTimeOffset.UtcNow - diagnostics.Started).TotalSeconds, 3));
        w.WriteNumber("reader_threads", threads);
        w.WriteNumber("idle_readers", idle);
        w.WriteNumber("in_flight", m.InFlight);
        w.WriteNumber("requests", m.Requests);
        w.WriteNumber("bytes_read", m.BytesRead);
        w.WriteNumber("bytes_written", m.BytesWritten);
        foreach (Gauge gauge in diagnostics.Gauges())
            w.WriteNumber(gauge.Name, gauge.Value);
        w.WriteEndObject();
    });

    private byte[] ConfigGet(byte[] request, string? name)
    {
        if (name is null)
            return Error(22, "config get needs a field");
        foreach ((string key, string value) in diagnostics.Settings)
        {
            if (key == name)
                return Json(w => w.WriteString(key, value));
        }
        return forward(request) ?? Error(2, $"error getting '{name}': (2) No such file or directory");
    }

    private byte[] ConfigShow(byte[]? clients) => Json(w =>
    {
        var ours = new HashSet<string>(diagnostics.Settings.Select(s => s.Key), StringComparer.Ordinal);
        foreach (JsonProperty property in Properties(clients))
        {
            if (!ours.Contains(property.Name))
                property.WriteTo(w);
        }
        foreach ((string key, string value) in diagnostics.Settings)
            w.WriteString(key, value);
    });

    private byte[] FuseOps(string? only)
    {
        FuseMetrics m = diagnostics.Metrics;
        List<FuseMetrics.OpStats> ops;
        if (only is not null)
        {
            if (FindOp(only) is not { } op)
                return Error(22, $"no FUSE opcode named {only}");
            ops = [op];
        }
        else
        {
            ops = m.Ops.Where(o => o.Count > 0 || o.InFlight > 0).OrderByDescending(o => o.Total.SumNanoseconds).ToList();
        }
        double all = m.Ops.Sum(o => (double)o.Total.SumNanoseconds);
        return Json(w =>
        {
            w.WriteString("since", m.ResetTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("seconds", Math.Round((DateTimeOffset.UtcNow - m.ResetTime).TotalSeconds, 3));
            w.WriteNumber("bytes_read", m.BytesRead);
            w.WriteNumber("bytes_written", m.BytesWritten);
            w.WriteStartArray("ops");
            foreach (FuseMetrics.OpStats op in ops)
            {
                w.WriteStartObject();
                w.WriteString("op", op.Name);
                w.WriteNumber("count", op.Count);
                w.WriteNumber("errors", op.Errors);
                w.WriteNumber("in_flight", op.InFlight);
                w.WriteNumber("total_seconds", Math.Round(op.Total.SumNanoseconds / 1e9, 6));
                w.WriteNumber("share_of_time", all > 0 ? Math.Round(op.Total.SumNanoseconds / all, 4) : 0);
                Phase(w, "queue", op.Queue);
                Phase(w, "backend", op.Backend);
                Phase(w, "reply", op.Reply);
                Phase(w, "total", op.Total);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private static void Phase(Utf8JsonWriter w, string name, LatencyHistogram h)
    {
        long count = h.Count;
        w.WriteStartObject(name);
        w.WriteNumber("avg_us", count > 0 ? Math.Round(h.SumNanoseconds / 1000.0 / count, 2) : 0);
        w.WriteNumber("p50_us", Math.Round(h.Quantile(0.50) / 1000.0, 2));
        w.WriteNumber("p90_us", Math.Round(h.Quantile(0.90) / 1000.0, 2));
        w.WriteNumber("p99_us", Math.Round(h.Quantile(0.99) / 1000.0, 2));
        w.WriteNumber("max_us", Math.Round(h.MaxNanoseconds / 1000.0, 2));
        w.WriteEndObject();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>The opcodes the session serves, plus anything else that was counted.</summary>
    private IEnumerable<FuseMetrics.OpStats> OpsShown()
    {
        var served = new HashSet<FuseOpcode>(OpcodeTable.Served());
        IReadOnlyList<FuseMetrics.OpStats> ops = diagnostics.Metrics.Ops;
        for (int i = 0; i < ops.Count; i++)
        {
            if (served.Contains((FuseOpcode)i) || ops[i].Count > 0)
                yield return ops[i];
        }
    }

    private FuseMetrics.OpStats? FindOp(string name) =>
        diagnostics.Metrics.Ops.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    private bool IsOurLogger(string logger) =>
        logger == FuseLogger || (logger.StartsWith(OpLoggerPrefix, StringComparison.Ordinal) && FindOp(logger[OpLoggerPrefix.Length..]) is not null);

    private static void Counter(Utf8JsonWriter w, string? only, string name, long value)
    {
        if (only is null || only == name)
            w.WriteNumber(name, value);
    }

    private static void Latency(Utf8JsonWriter w, string? only, string name, LatencyHistogram h)
    {
        if (only is not null && only != name)
            return;
        long count = h.Count;
        double sum = h.SumNanoseconds / 1e9;
        w.WriteStartObject(name);
        w.WriteNumber("avgcount", count);
        w.WriteNumber("sum", Math.Round(sum, 9));
        w.WriteNumber("avgtime", count > 0 ? Math.Round(sum / count, 9) : 0);
        w.WriteEndObject();
    }

    // Ceph's perf counter types: TIME 1, U64 2, LONGRUNAVG 4, COUNTER 8.
    private static void Schema(Utf8JsonWriter w, string name, bool counter, string description, string units)
    {
        w.WriteStartObject(name);
        w.WriteNumber("type", counter ? 10 : 2);
        w.WriteString("metric_type", counter ? "counter" : "gauge");
        w.WriteString("value_type", "integer");
        w.WriteString("description", description);
        w.WriteString("nick", "");
        w.WriteNumber("priority", 5);
        w.WriteString("units", units);
        w.WriteEndObject();
    }

    private static void LatencySchema(Utf8JsonWriter w, string name, string description)
    {
        w.WriteStartObject(name);
        w.WriteNumber("type", 5);
        w.WriteString("metric_type", "gauge");
        w.WriteString("value_type", "real-integer-pair");
        w.WriteString("description", description);
        w.WriteString("nick", "");
        w.WriteNumber("priority", 5);
        w.WriteString("units", "none");
        w.WriteEndObject();
    }

    /// <summary>The top-level properties of a JSON object answer from libcephfs (none for null, an error or not JSON).</summary>
    private static List<JsonProperty> Properties(byte[]? json)
    {
        if (json is null || json.Length == 0 || json[0] != (byte)'{')
            return [];
        try
        {
            // cloned so the properties outlive the document
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.Clone().EnumerateObject().ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Indented))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>An error as Ceph's admin socket words it.</summary>
    public static byte[] Error(int errno, string message) =>
        Encoding.UTF8.GetBytes($"ERROR: ({errno}) {CephClient.Errno.Message(errno)}\n{message}\n");
}
