using ManagedCephFuse.BenchRunner.Workloads;

namespace ManagedCephFuse.BenchRunner.Report;

/// <summary>One line of the table: a measurement of one contender over its repetitions.</summary>
internal sealed record Row(
    string Measurement,
    string Unit,
    string Contender,
    int Count,
    double Median,
    double Min,
    double Max,
    IReadOnlyList<double?> Speedups,
    double? CpuMedian,
    double? CpuPerOpMicros,
    double? CpuRatio,
    long? PeakRss);

/// <summary>A suite's rows, in the order measurements and contenders ran.</summary>
internal sealed record SuiteTable(string Suite, string Title, IReadOnlyList<string> References, IReadOnlyList<Row> Rows,
    IReadOnlyList<(string Contender, long? PeakRss, double? CpuTotal)> Totals);

/// <summary>Medians and ratios.</summary>
internal static class Summary
{
    /// <summary>
    /// Speed-up against a reference: how many times better than the reference this median is, whatever the
    /// unit (throughput: value / reference; time: reference / value). &gt; 1 is better, &lt; 1 worse.
    /// </summary>
    public static double Speedup(double value, double reference, bool higherIsBetter) =>
        higherIsBetter ? value / reference : reference / value;

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>A table per suite present in <paramref name="samples"/>, contenders in the order they ran.</summary>
    public static IReadOnlyList<SuiteTable> Tables(IReadOnlyList<Sample> samples) =>
        samples.Select(s => s.Suite).Distinct().Select(suite =>
        {
            var (title, references) = Suites.Info(suite);
            var contenders = samples.Where(s => s.Suite == suite).Select(s => s.Contender).Distinct().ToList();
            return Build(suite, title, contenders, references, samples);
        }).ToList();

    public static SuiteTable Build(string suite, string title, IReadOnlyList<string> contenders, IReadOnlyList<string> references,
        IReadOnlyList<Sample> samples)
    {
        var mine = samples.Where(s => s.Suite == suite).ToList();
        var measurements = mine.Select(s => s.Measurement).Distinct().ToList();
        var presentReferences = references.Where(r => mine.Any(s => s.Contender == r)).ToList();
        var rows = new List<Row>();
        foreach (string measurement in measurements)
        {
            var group = mine.Where(s => s.Measurement == measurement).ToList();
            bool higherIsBetter = group[0].HigherIsBetter;
            double? MedianOf(string contender) =>
                group.Where(s => s.Contender == contender).Select(s => s.Value).ToList() is { Count: > 0 } v ? Median(v) : null;
            double? CpuOf(string contender) =>
                group.Where(s => s.Contender == contender && s.CpuSeconds is not null).Select(s => s.CpuSeconds!.Value).ToList()
                    is { Count: > 0 } v ? Median(v) : null;
            foreach (string contender in contenders)
            {
                var values = group.Where(s => s.Contender == contender).ToList();
                if (values.Count == 0)
                    continue;
                double median = Median(values.Select(s => s.Value).ToList());
                var speedups = presentReferences
                    .Select(r => MedianOf(r) is { } reference ? Speedup(median, reference, higherIsBetter) : (double?)null)
                    .ToList();
                double? cpu = CpuOf(contender);
                double? cpuPerOp = values.Where(s => s.CpuSeconds is not null).Select(s => s.CpuSeconds!.Value / s.Ops * 1e6).ToList()
                    is { Count: > 0 } perOp ? Median(perOp) : null;
                double? cpuRatio = presentReferences.Count > 0 && cpu is not null && CpuOf(presentReferences[0]) is { } refCpu and > 0
                    ? cpu / refCpu
                    : null;
                long? peak = values.Max(s => s.PeakRssBytes);
                rows.Add(new Row(measurement, group[0].Unit, contender, values.Count, median,
                    values.Min(s => s.Value), values.Max(s => s.Value), speedups, cpu, cpuPerOp, cpuRatio, peak));
            }
        }
        var totals = contenders.Where(c => mine.Any(s => s.Contender == c)).Select(c =>
        {
            var all = mine.Where(s => s.Contender == c).ToList();
            long? peak = all.Max(s => s.PeakRssBytes);
            double? cpu = rows.Where(r => r.Contender == c && r.CpuMedian is not null).Sum(r => r.CpuMedian);
            return (c, peak, all.Any(s => s.CpuSeconds is not null) ? cpu : null);
        }).ToList();
        return new SuiteTable(suite, title, presentReferences, rows, totals);
    }
}
