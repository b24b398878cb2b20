using System.Diagnostics.Metrics;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// The same counters as observable instruments on a <see cref="Meter"/> named <see cref="MeterName"/>, for
/// <c>dotnet-counters monitor --counters ManagedCephFuse.FuseFs</c> and any MeterListener. Observable: read when
/// a listener polls, never on the request path.
/// </summary>
internal sealed class FuseMeter : IDisposable
{
    public const string MeterName = "ManagedCephFuse.FuseFs";

    private readonly Meter _meter;

    public FuseMeter(FuseMetrics metrics)
    {
        _meter = new Meter(MeterName, Hosting.Entry.Version);
        _meter.CreateObservableCounter("fuse.requests", () => PerOp(metrics, o => o.Count), "{request}", "FUSE requests answered");
        _meter.CreateObservableCounter("fuse.request.errors", () => PerOp(metrics, o => o.Errors), "{request}", "FUSE requests answered with an error");
        _meter.CreateObservableUpDownCounter("fuse.requests.in_flight", () => PerOp(metrics, o => o.InFlight), "{request}", "FUSE requests being served");
        _meter.CreateObservableCounter("fuse.request.time", () => Time(metrics), "s", "time spent per opcode and phase (queue, backend, reply)");
        _meter.CreateObservableCounter("fuse.read.bytes", () => metrics.BytesRead, "By", "bytes returned by READ");
        _meter.CreateObservableCounter("fuse.written.bytes", () => metrics.BytesWritten, "By", "bytes accepted by WRITE");
        _meter.CreateObservableGauge("fuse.reader.threads", () => metrics.Readers?.Invoke().Threads ?? 0, "{thread}", "reader threads");
    }

    private static IEnumerable<Measurement<long>> PerOp(FuseMetrics metrics, Func<FuseMetrics.OpStats, long> value)
    {
        foreach (FuseMetrics.OpStats op in metrics.Ops)
        {
            if (op.Count > 0 || op.InFlight > 0)
                yield return new Measurement<long>(value(op), new KeyValuePair<string, object?>("fuse.opcode", op.Name));
        }
    }

    private static IEnumerable<Measurement<double>> Time(FuseMetrics metrics)
    {
        foreach (FuseMetrics.OpStats op in metrics.Ops)
        {
            if (op.Count == 0)
                continue;
            var opcode = new KeyValuePair<string, object?>("fuse.opcode", op.Name);
            yield return new Measurement<double>(op.Queue.SumNanoseconds / 1e9, opcode, new("fuse.phase", "queue"));
            yield return new Measurement<double>(op.Backend.SumNanoseconds / 1e9, opcode, new("fuse.phase", "backend"));
            yield return new Measurement<double>(op.Reply.SumNanoseconds / 1e9, opcode, new("fuse.phase", "reply"));
        }
    }

    public void Dispose() => _meter.Dispose();
}
