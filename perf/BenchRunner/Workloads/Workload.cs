namespace ManagedCephFuse.BenchRunner.Workloads;

/// <summary>How a measurement's value is computed from an <see cref="OpResult"/>, and which way is better.</summary>
internal enum Unit
{
    MiBPerSecond,
    Iops,
    OpsPerSecond,
    Seconds,
    MicrosecondsPerOp,
}

internal static class UnitExtensions
{
    public static bool HigherIsBetter(this Unit unit) => unit is Unit.MiBPerSecond or Unit.Iops or Unit.OpsPerSecond;

    public static string Symbol(this Unit unit) => unit switch
    {
        Unit.MiBPerSecond => "MiB/s",
        Unit.Iops => "IOPS",
        Unit.OpsPerSecond => "ops/s",
        Unit.Seconds => "s",
        Unit.MicrosecondsPerOp => "µs/op",
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };

    public static double ValueOf(this Unit unit, OpResult r) => unit switch
    {
        Unit.MiBPerSecond => r.Bytes / r.Seconds / (1024.0 * 1024.0),
        Unit.Iops or Unit.OpsPerSecond => r.Ops / r.Seconds,
        Unit.Seconds => r.Seconds,
        Unit.MicrosecondsPerOp => r.Seconds / r.Ops * 1e6,
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };
}

/// <summary>One row group of the results table: e.g. "seq write 1M + fsync" in MiB/s.</summary>
internal sealed record Measurement(string Name, Unit Unit);

/// <summary>A step of a workload, run by one contender.</summary>
internal abstract record Step;

/// <summary>Setup or cleanup: done, not measured.</summary>
internal sealed record Untimed(Operation Operation) : Step;

/// <summary>Empty every cache between this contender and the cluster: sync, drop the kernel's caches and,
/// for a client that caches itself (ceph-fuse, managed-cephfuse, the direct driver), start a fresh one.</summary>
internal sealed record Cold : Step;

/// <summary>The measured step: its time gives the value; the contender's process gives CPU and peak RSS.</summary>
internal sealed record Timed(Measurement Measurement, Operation Operation) : Step;

/// <summary>
/// A workload: <see cref="Prepare"/> runs once per contender (untimed), then each repetition runs
/// <see cref="Repetition"/> for every contender in turn (A B C A B C …).
/// </summary>
internal sealed record Workload(string Id, IReadOnlyList<Step> Prepare, IReadOnlyList<Step> Repetition)
{
    public IEnumerable<Measurement> Measurements => Repetition.OfType<Timed>().Select(t => t.Measurement);
}

/// <summary>Workloads that share one cluster lifetime (the cluster is made fresh for each phase: the memstore
/// OSD keeps every byte in RAM and its allocator does not give it back).</summary>
internal sealed record Phase(string Name, bool NeedsCluster, IReadOnlyList<Workload> Workloads);

/// <summary>A suite: its phases, contenders (in alternation order) and repetitions.</summary>
internal sealed record Suite(string Name, IReadOnlyList<Phase> Phases, IReadOnlyList<string> Contenders, int Repetitions);
