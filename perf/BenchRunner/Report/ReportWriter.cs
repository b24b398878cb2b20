using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ManagedCephFuse.BenchRunner.Report;

/// <summary>
/// perf/results/&lt;date&gt;.json holds everything a run measured; &lt;date&gt;.md is rendered from it alone, so
/// an older result can be rendered again with today's table (<c>bench-runner --render FILE.json</c>).
/// </summary>
internal static class ReportWriter
{
    public static void Save(ReportDocument document, string stem)
    {
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(document, ReportJsonContext.Default.ReportDocument));
        File.WriteAllText(stem + ".md", Markdown(document, Path.GetFileName(stem) + ".json"));
    }

    public static ReportDocument Load(string jsonPath) =>
        JsonSerializer.Deserialize(File.ReadAllText(jsonPath), ReportJsonContext.Default.ReportDocument)
            ?? throw new InvalidDataException($"{jsonPath} holds no report");

    /// <summary>Rewrites FILE.md next to FILE.json and returns the tables.</summary>
    public static IReadOnlyList<SuiteTable> Render(string jsonPath)
    {
        var document = Load(jsonPath);
        string stem = jsonPath.EndsWith(".json", StringComparison.Ordinal) ? jsonPath[..^5] : jsonPath;
        File.WriteAllText(stem + ".md", Markdown(document, Path.GetFileName(jsonPath)));
        return Summary.Tables(document.Samples);
    }

    public static string Markdown(ReportDocument doc, string jsonName)
    {
        var started = DateTime.Parse(doc.StartedUtc, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# make bench — {started:yyyy-MM-dd HH:mm} UTC{(doc.Quick ? " (quick)" : "")}");
        md.AppendLine();
        if (!doc.Complete)
            md.AppendLine(CultureInfo.InvariantCulture, $"**INCOMPLETE: the run stopped early: {doc.Aborted}**").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"> {Renderer.NoiseNote}").AppendLine();
        md.AppendLine("## Machine").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var fact in doc.Machine)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {fact.Name} | {fact.Value.ReplaceLineEndings(" ")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| at start | {doc.LoadAtStart} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| at end | {doc.LoadAtEnd} |");
        md.AppendLine().AppendLine("## Run").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var knob in doc.Config)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {knob.Name} | {knob.Value} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| duration | {doc.DurationSeconds / 60:F1} min |");
        md.AppendLine().AppendLine("Contenders (each ceph-suite phase runs on a fresh cluster; \"cold\" = syncfs, " +
            "`echo 3 > /proc/sys/vm/drop_caches` and a fresh daemon or driver):").AppendLine();
        foreach (var contender in doc.Contenders)
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{contender.Name}**: `{contender.Value}`");
        md.AppendLine();
        foreach (var table in Summary.Tables(doc.Samples))
            md.Append(Renderer.Markdown(table));
        if (doc.Failures.Count > 0)
        {
            md.AppendLine("## Failures").AppendLine();
            foreach (var f in doc.Failures)
                md.AppendLine(CultureInfo.InvariantCulture, $"- {f.Suite}/{f.Workload} on **{f.Contender}**: {f.Message}");
            md.AppendLine();
        }
        if (!string.IsNullOrWhiteSpace(doc.Notes))
            md.AppendLine("## Notes").AppendLine().AppendLine(doc.Notes.Trim()).AppendLine();
        md.AppendLine("## How to read this").AppendLine().AppendLine(Renderer.HowToRead).AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Every sample is in `{jsonName}`; docs/benchmarks.md describes the workloads.");
        return md.ToString();
    }
}
