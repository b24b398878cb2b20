using ManagedCephFuse.BenchRunner.Report;
using Xunit;

namespace ManagedCephFuse.BenchRunner.Tests;

/// <summary>Medians, speed-ups and the table rows the report is made of.</summary>
[Trait("Category", "Unit")]
public sealed class SummaryTests
{
    [Fact]
    public void MedianOfOddAndEvenCounts()
    {
        Assert.Equal(3.0, Summary.Median([5, 1, 3]));
        Assert.Equal(2.5, Summary.Median([4, 1, 3, 2]));
        Assert.Equal(7.0, Summary.Median([7]));
        Assert.Throws<ArgumentException>(() => Summary.Median([]));
    }

    [Fact]
    public void SpeedupIsAboveOneWhenBetterWhateverTheUnit()
    {
        // throughput: twice the MiB/s is 2x
        Assert.Equal(2.0, Summary.Speedup(200, 100, higherIsBetter: true));
        // time: half the seconds is 2x
        Assert.Equal(2.0, Summary.Speedup(0.5, 1.0, higherIsBetter: false));
        Assert.Equal(0.5, Summary.Speedup(2.0, 1.0, higherIsBetter: false));
    }

    private static Sample S(string measurement, string contender, int rep, double value, double? cpu, long? rss,
        string unit = "MiB/s", bool higher = true) =>
        new("ceph", "data", "w", measurement, unit, higher, contender, rep, value, 1, 1, 1, cpu, rss);

    [Fact]
    public void RowsCarryMediansRatiosAgainstEachReferenceAndCpuAgainstTheFirst()
    {
        Sample[] samples =
        [
            S("seq", "ceph-fuse", 1, 100, 4.0, 100 << 20), S("seq", "direct", 1, 200, 1.0, 50 << 20), S("seq", "managed", 1, 150, 2.0, 10 << 20),
            S("seq", "ceph-fuse", 2, 90, 4.2, 120 << 20), S("seq", "direct", 2, 210, 1.1, 60 << 20), S("seq", "managed", 2, 160, 2.0, 11 << 20),
            S("seq", "ceph-fuse", 3, 110, 3.8, 110 << 20), S("seq", "direct", 3, 190, 0.9, 55 << 20), S("seq", "managed", 3, 140, 2.2, 12 << 20),
            S("ls", "ceph-fuse", 1, 8.0, 3, null, "s", false), S("ls", "managed", 1, 2.0, 1, null, "s", false),
        ];
        var table = Summary.Build("ceph", "t", ["ceph-fuse", "direct", "managed"], ["ceph-fuse", "direct"], samples);

        var managed = table.Rows.Single(r => r.Measurement == "seq" && r.Contender == "managed");
        Assert.Equal(150, managed.Median);
        Assert.Equal(140, managed.Min);
        Assert.Equal(160, managed.Max);
        Assert.Equal(1.5, managed.Speedups[0]!.Value, 6);      // × ceph-fuse (median 100)
        Assert.Equal(150.0 / 200, managed.Speedups[1]!.Value, 6); // × direct (median 200)
        Assert.Equal(2.0 / 4.0, managed.CpuRatio!.Value, 6);   // CPU ÷ ceph-fuse
        Assert.Equal(12L << 20, managed.PeakRss);               // the highest of its repetitions

        // ls -l has no direct sample: that ratio is missing, not invented; time: 8 s → 2 s is 4x
        var ls = table.Rows.Single(r => r.Measurement == "ls" && r.Contender == "managed");
        Assert.Equal(4.0, ls.Speedups[0]!.Value, 6);
        Assert.Null(ls.Speedups[1]);
        Assert.Equal(3, table.Rows.Count(r => r.Measurement == "seq"));

        var totals = table.Totals.Single(t => t.Contender == "ceph-fuse");
        Assert.Equal(120L << 20, totals.PeakRss);
        Assert.Equal(4.0 + 3.0, totals.CpuTotal!.Value, 6);
    }

    [Fact]
    public void TablesNameEveryContenderAndReference()
    {
        Sample[] samples = [S("seq", "ceph-fuse", 1, 100, 1, 1 << 20), S("seq", "direct", 1, 250, 1, 1 << 20)];
        var table = Summary.Build("ceph", "title", ["ceph-fuse", "direct"], ["ceph-fuse", "direct"], samples);
        string text = Renderer.Text(table);
        string md = Renderer.Markdown(table);
        Assert.Contains("× ceph-fuse", text);
        Assert.Contains("× direct", md);
        Assert.Contains("2.50×", text); // direct against ceph-fuse
        Assert.Contains("| **seq** | ceph-fuse |", md);
    }
}

/// <summary>The results file is rendered from the JSON alone, so old results can be rendered again.</summary>
[Trait("Category", "Unit")]
public sealed class ReportWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheMarkdownComesBackTheSameFromTheJson()
    {
        Sample[] samples =
        [
            new("fuse", "fuse", "fuse-stat", "stat(path), uncached", "µs/op", false, "libfuse-ref", 1, 30, 20000, 0, 0.6, 0.5, 70 << 20),
            new("fuse", "fuse", "fuse-stat", "stat(path), uncached", "µs/op", false, "managed-memory", 1, 27, 20000, 0, 0.54, 0.4, 40 << 20),
        ];
        var document = new ReportDocument("2026-11-26T01:33:00.0000000Z", 600, false, true, null,
            [new NameValue("cores", "2")], "load 1", "load 2", [new NameValue("mode", "full")],
            [new NameValue("libfuse-ref", "artifacts/bench/libfuse-ref")], samples, [], "a note about this run");
        string stem = Path.Combine(_dir, "2026-11-26-0133");
        ReportWriter.Save(document, stem);
        string first = File.ReadAllText(stem + ".md");

        File.Delete(stem + ".md");
        var tables = ReportWriter.Render(stem + ".json");
        Assert.Equal(first, File.ReadAllText(stem + ".md"));

        Assert.Contains("# make bench — 2026-11-26 01:33 UTC", first);
        Assert.Contains("## Notes", first);
        Assert.Contains("a note about this run", first);
        var managed = tables.Single().Rows.Single(r => r.Contender == "managed-memory");
        Assert.Equal(30.0 / 27.0, managed.Speedups[0]!.Value, 6); // fewer µs than the C reference: > 1
        Assert.Equal(20.0, managed.CpuPerOpMicros!.Value, 6);     // 0.4 s over 20,000 stats
    }
}
