using System.Globalization;
using System.Text;

namespace ManagedCephFuse.BenchRunner.Report;

/// <summary>The results as a fixed-width table (stdout) and as Markdown (perf/results/&lt;date&gt;.md).</summary>
internal static class Renderer
{
    public const string NoiseNote =
        "This machine has 2 cores that also run the bench's own Ceph cluster (mon, mgr, OSD, MDS) and, during " +
        "this project, other engineers' builds, tests and clusters: absolute numbers are noisy. Contenders are " +
        "alternated (A B C A B C …) so drift hits all of them alike: compare the ratios within one run, and " +
        "the min–max spread tells how much to trust a median.";

    public const string HowToRead =
        "**median** of the repetitions (**n**), with the min–max range. **× X** is the speed-up against " +
        "contender X for that measurement, whatever the unit: > 1 = better than X (more MiB/s, IOPS or ops/s; " +
        "fewer seconds or µs), < 1 = worse. **CPU s** is the median CPU time (user + system, from " +
        "/proc/PID/stat, 10 ms resolution) of the contender's process during the timed part only: the FUSE daemon " +
        "— not fio or ls — or, for libcephfs direct, the driver itself (it also does the client's work); **CPU µs/op** " +
        "is that per operation (I/O, file or directory entry). **CPU ÷ X** is that CPU " +
        "time divided by X's (< 1 = cheaper). **peak RSS** is the highest VmHWM reached during the timed part " +
        "(the high-water mark is reset before each one); the totals give the highest over the whole suite. " +
        "tmpfs has no process: no CPU or RSS.";

    private static readonly string[] Headers = ["measurement", "contender", "median", "unit", "min–max"];

    public static string Text(SuiteTable table)
    {
        var lines = Lines(table, markdown: false);
        int columns = lines[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"== {table.Title}");
        for (int i = 0; i < lines.Count; i++)
        {
            text.AppendLine(string.Join("  ", lines[i].Select((cell, c) =>
                c is 0 or 1 or 3 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0)
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        AppendTotals(text, table, markdown: false);
        return text.ToString();
    }

    public static string Markdown(SuiteTable table)
    {
        var lines = Lines(table, markdown: true);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {table.Title}").AppendLine();
        md.AppendLine("| " + string.Join(" | ", lines[0]) + " |");
        md.AppendLine("|" + string.Join("|", lines[0].Select((_, c) => c is 0 or 1 or 3 ? "---" : "---:")) + "|");
        foreach (var line in lines.Skip(1))
            md.AppendLine("| " + string.Join(" | ", line) + " |");
        md.AppendLine();
        AppendTotals(md, table, markdown: true);
        return md.ToString();
    }

    private static List<string[]> Lines(SuiteTable table, bool markdown)
    {
        var header = Headers
            .Concat(table.References.Select(r => $"× {r}"))
            .Concat(["CPU s", "CPU µs/op"])
            .Concat(table.References.Take(1).Select(r => $"CPU ÷ {r}"))
            .Concat(["peak RSS MiB", "n"])
            .ToArray();
        var lines = new List<string[]> { header };
        string? previous = null;
        foreach (var row in table.Rows)
        {
            string measurement = row.Measurement == previous ? "" : (markdown ? $"**{row.Measurement}**" : row.Measurement);
            previous = row.Measurement;
            var cells = new List<string>
            {
                measurement,
                row.Contender,
                Number(row.Median),
                row.Unit,
                $"{Number(row.Min)}–{Number(row.Max)}",
            };
            cells.AddRange(row.Speedups.Select(s => s is { } v ? Ratio(v) : "–"));
            cells.Add(row.CpuMedian is { } cpu ? cpu.ToString("F2", CultureInfo.InvariantCulture) : "–");
            cells.Add(row.CpuPerOpMicros is { } perOp ? Number(perOp) : "–");
            if (table.References.Count > 0)
                cells.Add(row.CpuRatio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "–");
            cells.Add(row.PeakRss is { } rss ? Mib(rss) : "–");
            cells.Add(row.Count.ToString(CultureInfo.InvariantCulture));
            lines.Add(cells.ToArray());
        }
        return lines;
    }

    private static void AppendTotals(StringBuilder text, SuiteTable table, bool markdown)
    {
        var parts = table.Totals.Select(t =>
            $"{t.Contender}: peak RSS {(t.PeakRss is { } p ? Mib(p) + " MiB" : "–")}, CPU {(t.CpuTotal is { } c ? c.ToString("F1", CultureInfo.InvariantCulture) + " s" : "–")}");
        string line = "whole suite (highest peak RSS; sum of the median CPU seconds above): " + string.Join("; ", parts);
        text.AppendLine(markdown ? line + "." : line).AppendLine();
    }

    /// <summary>Three significant digits or so, without exponent.</summary>
    public static string Number(double value)
    {
        double a = Math.Abs(value);
        string format = a >= 100 ? "N0" : a >= 10 ? "F1" : a >= 1 ? "F2" : "F3";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Ratio(double value) =>
        value.ToString(value >= 10 ? "F1" : value >= 0.1 ? "F2" : "F3", CultureInfo.InvariantCulture) + "×";

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F0", CultureInfo.InvariantCulture);
}
