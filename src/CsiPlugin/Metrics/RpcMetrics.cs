using System.Diagnostics.Metrics;

namespace ManagedCephFuse.CsiPlugin.Metrics;

/// <summary>
/// Per-RPC counters and latencies on a <see cref="Meter"/> named <see cref="MeterName"/>, for any exporter
/// (dotnet-counters, OpenTelemetry, an in-process MeterListener): <c>csi.rpc.requests</c> (count, tags
/// <c>rpc.method</c>, <c>rpc.grpc.status_code</c>), <c>csi.rpc.duration</c> (seconds, same tags) and
/// <c>csi.rpc.active</c> (in flight, tag <c>rpc.method</c>).
/// </summary>
internal sealed class RpcMetrics : IDisposable
{
    public const string MeterName = "ManagedCephFuse.CsiPlugin";
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;

    public RpcMetrics()
    {
        _meter = new Meter(MeterName, typeof(RpcMetrics).Assembly.GetName().Version?.ToString());
        _requests = _meter.CreateCounter<long>("csi.rpc.requests", unit: "{request}", description: "CSI RPCs served");
        _duration = _meter.CreateHistogram<double>("csi.rpc.duration", unit: "s", description: "CSI RPC latency");
        _active = _meter.CreateUpDownCounter<long>("csi.rpc.active", unit: "{request}", description: "CSI RPCs in flight");
    }

    public void Started(string method) => _active.Add(1, new KeyValuePair<string, object?>("rpc.method", method));

    public void Finished(string method, string code, TimeSpan elapsed)
    {
        var methodTag = new KeyValuePair<string, object?>("rpc.method", method);
        var codeTag = new KeyValuePair<string, object?>("rpc.grpc.status_code", code);
        _active.Add(-1, methodTag);
        _requests.Add(1, methodTag, codeTag);
        _duration.Record(elapsed.TotalSeconds, methodTag, codeTag);
    }

    public void Dispose() => _meter.Dispose();
}
