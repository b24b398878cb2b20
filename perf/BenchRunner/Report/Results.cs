using System.Text.Json.Serialization;

namespace ManagedCephFuse.BenchRunner.Report;

/// <summary>One timed step of one contender in one repetition.</summary>
internal sealed record Sample(
    string Suite,
    string Phase,
    string Workload,
    string Measurement,
    string Unit,
    bool HigherIsBetter,
    string Contender,
    int Repetition,
    double Value,
    long Ops,
    long Bytes,
    double Seconds,
    double? CpuSeconds,
    long? PeakRssBytes);

/// <summary>A workload that failed for a contender (its remaining repetitions were skipped).</summary>
internal sealed record Failure(string Suite, string Workload, string Contender, string Message);

internal sealed record NameValue(string Name, string Value);

/// <summary>Everything one run measured, as written to perf/results/&lt;date&gt;.json.</summary>
internal sealed record ReportDocument(
    string StartedUtc,
    double DurationSeconds,
    bool Quick,
    bool Complete,
    string? Aborted,
    IReadOnlyList<NameValue> Machine,
    string LoadAtStart,
    string LoadAtEnd,
    IReadOnlyList<NameValue> Config,
    IReadOnlyList<NameValue> Contenders,
    IReadOnlyList<Sample> Samples,
    IReadOnlyList<Failure> Failures,
    string? Notes = null);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReportDocument))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

/// <summary>What the runner collects while it runs.</summary>
internal sealed class Results
{
    public List<Sample> Samples { get; } = [];
    public List<Failure> Failures { get; } = [];
    /// <summary>Contender name → how it was run (first description wins).</summary>
    public Dictionary<string, string> Contenders { get; } = new(StringComparer.Ordinal);
}
