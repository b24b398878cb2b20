using System.Diagnostics;

namespace ManagedCephFuse.BenchRunner;

/// <summary>Progress lines on stderr (stdout carries only the result tables).</summary>
internal static class Progress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static TimeSpan Elapsed => Clock.Elapsed;

    public static void Say(string message) =>
        Console.Error.WriteLine($"[bench {Clock.Elapsed.TotalSeconds,7:F1}s] {message}");
}
