using System.Diagnostics.Metrics;
using ManagedCephFuse.Shared;

namespace ManagedCephFuse.CsiPlugin.Metrics;

/// <summary>
/// <c>--metrics-address</c>: the plugin's <see cref="RpcMetrics"/> meter collected by a <see cref="MeterListener"/>
/// and rendered in the Prometheus text format — <c>csi_rpc_requests_total{method,code}</c>,
/// <c>csi_rpc_duration_seconds{method,code}</c> (histogram) and <c>csi_rpc_active{method}</c>. CSI RPCs are few
/// (a handful per volume operation), so one lock guards the aggregates.
/// </summary>
internal sealed class MetricsExporter : IDisposable
{
    private static readonly double[] Bounds = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly SortedDictionary<(string Method, string Code), long> _requests = new();
    private readonly SortedDictionary<(string Method, string Code), Histogram> _durations = new();
    private readonly SortedDictionary<string, long> _active = new(StringComparer.Ordinal);

    private sealed class Histogram
    {
        public readonly long[] Buckets = new long[Bounds.Length + 1];
        public double Sum;
        public long Count;
    }

    public MetricsExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RpcMetrics.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        (string method, string code) = Tags(tags);
        lock (_lock)
        {
            if (instrument.Name == "csi.rpc.requests")
                _requests[(method, code)] = _requests.GetValueOrDefault((method, code)) + value;
            else if (instrument.Name == "csi.rpc.active")
                _active[method] = _active.GetValueOrDefault(method) + value;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name != "csi.rpc.duration")
            return;
        (string method, string code) = Tags(tags);
        int bucket = Array.FindIndex(Bounds, b => value <= b);
        lock (_lock)
        {
            if (!_durations.TryGetValue((method, code), out Histogram? h))
                _durations[(method, code)] = h = new Histogram();
            h.Buckets[bucket < 0 ? Bounds.Length : bucket]++;
            h.Sum += value;
            h.Count++;
        }
    }

    private static (string Method, string Code) Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string method = "", code = "";
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "rpc.method")
                method = tag.Value?.ToString() ?? "";
            else if (tag.Key == "rpc.grpc.status_code")
                code = tag.Value?.ToString() ?? "";
        }
        return (method, code);
    }

    /// <summary>The Prometheus text of everything counted so far.</summary>
    public string Render()
    {
        var text = new PrometheusText();
        lock (_lock)
        {
            text.Family("csi_rpc_requests_total", "counter", "CSI RPCs served, by method and gRPC status code");
            foreach (((string method, string code), long count) in _requests)
                text.Sample("csi_rpc_requests_total", count, ("method", method), ("code", code));
            text.Family("csi_rpc_active", "gauge", "CSI RPCs in flight, by method");
            foreach ((string method, long count) in _active)
                text.Sample("csi_rpc_active", count, ("method", method));
            text.Family("csi_rpc_duration_seconds", "histogram", "CSI RPC latency, by method and gRPC status code");
            foreach (((string method, string code), Histogram h) in _durations)
            {
                long cumulative = 0;
                for (int i = 0; i < h.Buckets.Length; i++)
                {
                    cumulative += h.Buckets[i];
                    string le = i < Bounds.Length ? PrometheusText.Format(Bounds[i]) : "+Inf";
                    text.Sample("csi_rpc_duration_seconds_bucket", cumulative, ("method", method), ("code", code), ("le", le));
                }
                text.Sample("csi_rpc_duration_seconds_sum", h.Sum, ("method", method), ("code", code));
                text.Sample("csi_rpc_duration_seconds_count", h.Count, ("method", method), ("code", code));
            }
        }
        text.Family("process_resident_memory_bytes", "gauge", "resident memory of the plugin")
            .Sample("process_resident_memory_bytes", Environment.WorkingSet);
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
