using System.Globalization;
using ManagedCephFuse.Shared;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// The daemon's metrics in the Prometheus text format: the same counters as the admin socket's <c>perf dump</c>
/// (requests, errors, in flight and latency histograms per opcode and phase, bytes, threads, the backend's
/// gauges) plus the process's CPU time and resident memory. Histogram buckets are the powers of two of the
/// internal log-linear ones (1 µs … 18 min).
/// </summary>
internal static class PrometheusExporter
{
    private const string Prefix = "managed_cephfuse_";

    public static string Render(DaemonDiagnostics diagnostics)
    {
        FuseMetrics m = diagnostics.Metrics;
        var text = new PrometheusText();
        var active = m.Ops.Where(o => o.Count > 0 || o.InFlight > 0).ToList();

        text.Family(Prefix + "requests_total", "counter", "FUSE requests answered, by opcode");
        foreach (FuseMetrics.OpStats op in active)
            text.Sample(Prefix + "requests_total", op.Count, ("op", op.Name));
        text.Family(Prefix + "request_errors_total", "counter", "FUSE requests answered with an error, by opcode");
        foreach (FuseMetrics.OpStats op in active)
            text.Sample(Prefix + "request_errors_total", op.Errors, ("op", op.Name));
        text.Family(Prefix + "requests_in_flight", "gauge", "FUSE requests being served, by opcode");
        foreach (FuseMetrics.OpStats op in active)
            text.Sample(Prefix + "requests_in_flight", op.InFlight, ("op", op.Name));

        const string seconds = Prefix + "request_seconds";
        text.Family(seconds, "histogram",
            "FUSE request latency by opcode and phase: queue (read() to handler: decode, dispatch), backend (the file system: libcephfs), reply (write()), total");
        Span<long> buckets = stackalloc long[LatencyHistogram.BucketCount];
        foreach (FuseMetrics.OpStats op in active)
        {
            Histogram(text, seconds, op.Name, "queue", op.Queue, buckets);
            Histogram(text, seconds, op.Name, "backend", op.Backend, buckets);
            Histogram(text, seconds, op.Name, "reply", op.Reply, buckets);
            Histogram(text, seconds, op.Name, "total", op.Total, buckets);
        }

        text.Family(Prefix + "read_bytes_total", "counter", "bytes returned by READ").Sample(Prefix + "read_bytes_total", m.BytesRead);
        text.Family(Prefix + "written_bytes_total", "counter", "bytes accepted by WRITE").Sample(Prefix + "written_bytes_total", m.BytesWritten);
        (int threads, int idle) = m.Readers?.Invoke() ?? (0, 0);
        text.Family(Prefix + "reader_threads", "gauge", "reader threads (each reads /dev/fuse and serves what it reads)").Sample(Prefix + "reader_threads", threads);
        text.Family(Prefix + "idle_reader_threads", "gauge", "reader threads waiting in read()").Sample(Prefix + "idle_reader_threads", idle);
        foreach (Gauge gauge in diagnostics.Gauges())
            text.Family(Prefix + gauge.Name, "gauge", gauge.Description).Sample(Prefix + gauge.Name, gauge.Value);
        text.Family(Prefix + "info", "gauge", "the daemon: version, backend, mount point")
            .Sample(Prefix + "info", 1, ("version", Hosting.Entry.Version), ("backend", diagnostics.Backend), ("mount_point", diagnostics.MountPoint));

        Process(text);
        return text.ToString();
    }

    private static void Histogram(PrometheusText text, string name, string op, string phase, LatencyHistogram h, Span<long> buckets)
    {
        h.CopyBuckets(buckets);
        long cumulative = 0;
        for (int i = 0; i < buckets.Length; i++)
        {
            cumulative += buckets[i];
            bool last = i == buckets.Length - 1;
            if (i % LatencyHistogram.SubBuckets != 0 && !last)
                continue; // report octave boundaries only
            string le = last ? "+Inf" : PrometheusText.Format(LatencyHistogram.UpperBoundNanoseconds(i) / 1e9);
            text.Sample(name + "_bucket", cumulative, ("op", op), ("phase", phase), ("le", le));
        }
        text.Sample(name + "_sum", h.SumNanoseconds / 1e9, ("op", op), ("phase", phase));
        text.Sample(name + "_count", cumulative, ("op", op), ("phase", phase));
    }

    /// <summary>process_* as the Prometheus client libraries name them, from /proc/self.</summary>
    private static void Process(PrometheusText text)
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double ticks = 100.0; // USER_HZ
            double cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / ticks;
            text.Family("process_cpu_seconds_total", "counter", "user and system CPU time of the daemon").Sample("process_cpu_seconds_total", cpu);
            text.Family("process_threads", "gauge", "threads of the daemon").Sample("process_threads", double.Parse(fields[17], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
        }
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    text.Family("process_resident_memory_bytes", "gauge", "resident memory of the daemon").Sample("process_resident_memory_bytes", Kilobytes(line));
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    text.Family("process_resident_memory_max_bytes", "gauge", "peak resident memory of the daemon (VmHWM)").Sample("process_resident_memory_max_bytes", Kilobytes(line));
            }
        }
        catch (IOException)
        {
        }
        text.Family("dotnet_gc_heap_bytes", "gauge", "managed heap size").Sample("dotnet_gc_heap_bytes", GC.GetTotalMemory(false));
        text.Family("dotnet_gc_collections_total", "counter", "garbage collections by generation");
        for (int g = 0; g <= GC.MaxGeneration; g++)
            text.Sample("dotnet_gc_collections_total", GC.CollectionCount(g), ("generation", g.ToString(CultureInfo.InvariantCulture)));
    }

    private static double Kilobytes(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
