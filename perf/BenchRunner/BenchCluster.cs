using System.Diagnostics;
using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;

namespace ManagedCephFuse.BenchRunner;

/// <summary>
/// The bench's own throwaway cluster (scripts/cluster-up.sh in BENCH_CLUSTER_DIR, never the test cluster's
/// directory), made fresh for each phase and taken down after it, whatever happened.
/// </summary>
internal sealed class BenchCluster(BenchConfig config) : IDisposable
{
    private bool _started;

    public CephAccess Up(CancellationToken cancel)
    {
        string script = Path.Combine(config.Root, "scripts", "cluster-up.sh");
        var environment = new Dictionary<string, string>
        {
            ["CLUSTER_MEMSTORE_BYTES"] = config.MemstoreBytes.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            // glibc's per-thread arenas make the memstore OSD grow without bound under a benchmark
            ["MALLOC_ARENA_MAX"] = "2",
        };
        _started = true;
        var watch = Stopwatch.StartNew();
        var result = Tool.Run(script, [config.ClusterDir], TimeSpan.FromMinutes(5), cancel, environment);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"cluster-up.sh {config.ClusterDir} failed: {result.Tail(10)}");
        var env = ReadEnv(Path.Combine(config.ClusterDir, "env"));
        Progress.Say($"cluster up in {watch.Elapsed.TotalSeconds:F1} s ({config.ClusterDir})");
        return new CephAccess(env["CEPH_CONF"], "admin");
    }

    /// <summary>Stops the cluster's daemons (by their PID files) and removes its directory. Never throws.</summary>
    public void Dispose()
    {
        if (!_started)
            return;
        _started = false;
        try
        {
            var result = Tool.Run(Path.Combine(config.Root, "scripts", "cluster-down.sh"), [config.ClusterDir],
                TimeSpan.FromMinutes(3), CancellationToken.None);
            if (result.ExitCode != 0)
                Console.Error.WriteLine($"[bench] cluster-down.sh failed: {result.Tail()}");
            else
                Progress.Say("cluster down");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or global::System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"[bench] cluster-down.sh: {e.Message}");
        }
    }

    private static Dictionary<string, string> ReadEnv(string file)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(file))
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && !line.StartsWith('#'))
                values[line[..eq]] = line[(eq + 1)..];
        }
        return values;
    }
}
