using System.Globalization;
using System.Text;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>What one client went through during one fault.</summary>
internal sealed record ClientOutcome(
    string Client,
    Dictionary<string, int> Errors,
    long DurableBlocks,
    long LostBlocks,
    long CorruptReads,
    TimeSpan WriteStall,
    TimeSpan MetadataStall,
    bool Recovered,
    TimeSpan? RecoveredAfter,
    bool Remounted)
{
    /// <summary>The longest time the writer or the metadata loop went without a success.</summary>
    public TimeSpan Stall => WriteStall > MetadataStall ? WriteStall : MetadataStall;

    public int ErrorCount => Errors.Values.Sum();

    /// <summary>The errno names seen ("EDQUOT", "EIO", ...).</summary>
    public HashSet<string> ErrorKinds => [.. Errors.Keys.Select(k => k.Split(' ')[0])];

    /// <summary>"none" or "EIO ×3, ENOSPC ×12" (by errno, most frequent first).</summary>
    public string ErrorSummary =>
        Errors.Count == 0
            ? "none"
            : string.Join(", ", Errors.GroupBy(e => e.Key.Split(' ')[0])
                .Select(g => (Kind: g.Key, Count: g.Sum(e => e.Value)))
                .OrderByDescending(k => k.Count)
                .Select(k => $"{k.Kind} ×{k.Count}"));

    public string StallSummary => Recovered
        ? Seconds(Stall)
        : $"stays broken (remounted)";

    public static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s");
}

/// <summary>One fault, both clients.</summary>
internal sealed record FaultOutcome(string Fault, string What, ClientOutcome Managed, ClientOutcome CephFuse, string Notes);

/// <summary>
/// The measurements: artifacts/faults/results.md (rewritten after every fault, so an aborted run leaves what it
/// measured), a table of faults × {managed-cephfuse, ceph-fuse} then the details behind it.
/// </summary>
internal sealed class ResultsFile
{
    private readonly List<FaultOutcome> _outcomes = [];
    private readonly DateTime _started = DateTime.UtcNow;

    public static string Path => System.IO.Path.Combine(Repository.Root, "artifacts", "faults", "results.md");

    public void Add(FaultOutcome outcome)
    {
        lock (_outcomes)
        {
            _outcomes.Add(outcome);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            File.WriteAllText(Path, Render());
        }
    }

    public static string Row(FaultOutcome o) =>
        $"| {o.Fault} | {o.Managed.ErrorSummary} | {o.Managed.LostBlocks} of {o.Managed.DurableBlocks} | {o.Managed.StallSummary} " +
        $"| {o.CephFuse.ErrorSummary} | {o.CephFuse.LostBlocks} of {o.CephFuse.DurableBlocks} | {o.CephFuse.StallSummary} |";

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Fault suite results ({_started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
        text.AppendLine();
        text.AppendLine("errors: failed calls by errno (every one retried); lost: fsync'd blocks not read back intact through the other");
        text.AppendLine("client afterwards; stall: the longest time the writer (pwrite+fsync) or the metadata loop went without a success.");
        text.AppendLine();
        text.AppendLine("| fault | managed-cephfuse errors | lost | stall | ceph-fuse errors | lost | stall |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (FaultOutcome o in _outcomes)
            text.AppendLine(Row(o));
        text.AppendLine();
        text.AppendLine("## Details");
        text.AppendLine();
        text.AppendLine("| fault | client | write stall | metadata stall | recovered after | corrupt reads | errors by call | notes |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (FaultOutcome o in _outcomes)
        {
            foreach (ClientOutcome c in new[] { o.Managed, o.CephFuse })
            {
                string errors = c.Errors.Count == 0 ? "none" : string.Join(", ", c.Errors.OrderBy(e => e.Key).Select(e => $"{e.Key} ×{e.Value}"));
                string recovered = c.RecoveredAfter is { } r ? ClientOutcome.Seconds(r) : "no";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {o.Fault} | {c.Client} | {ClientOutcome.Seconds(c.WriteStall)} | {ClientOutcome.Seconds(c.MetadataStall)} | {recovered} | {c.CorruptReads} | {errors} | {(ReferenceEquals(c, o.Managed) ? o.Notes : "")} |");
            }
        }
        text.AppendLine();
        text.AppendLine("## What each fault is");
        text.AppendLine();
        foreach (FaultOutcome o in _outcomes)
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{o.Fault}**: {o.What}");
        text.AppendLine();
        text.AppendLine("## Shortened timeouts");
        text.AppendLine();
        text.AppendLine("| setting | value | Ceph default | why |");
        text.AppendLine("|---|---|---|---|");
        foreach (ShortenedTimeout t in FaultCluster.ConfTimeouts)
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{t.Option}` (ceph.conf) | {t.Value} | {t.CephDefault} | {t.Why} |");
        foreach (ShortenedTimeout t in FaultCluster.FsTimeouts)
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{t.Option}` (fs set) | {t.Value} | {t.CephDefault} | {t.Why} |");
        return text.ToString();
    }
}
