using System.Runtime.InteropServices;
using ManagedCephFuse.BenchRunner;

// bench-runner: `make bench`. Knobs are environment variables (BenchConfig.Knobs; docs/benchmarks.md).
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine("bench-runner: the side-by-side comparison behind `make bench` (run it through make).");
    Console.WriteLine("       bench-runner --render perf/results/FILE.json   (writes FILE.md again from the samples)");
    Console.WriteLine("Environment variables (default full / quick):");
    foreach (var (name, fallback, meaning) in BenchConfig.Knobs)
        Console.WriteLine($"  {name,-26} {fallback,-34} {meaning}");
    return 0;
}
if (args is ["--render", var json])
{
    // re-render a results file (e.g. after the table changed): FILE.md from FILE.json
    foreach (var table in ManagedCephFuse.BenchRunner.Report.ReportWriter.Render(json))
        Console.WriteLine(ManagedCephFuse.BenchRunner.Report.Renderer.Text(table));
    return 0;
}
if (args.Length > 0)
{
    Console.Error.WriteLine($"bench-runner: unexpected argument {args[0]} (knobs are environment variables: --help)");
    return 2;
}

using var interrupt = new CancellationTokenSource();
// Ctrl-C or a kill: stop the current step, then the finally blocks unmount, stop daemons and the cluster
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"[bench] {context.Signal}: cleaning up");
    interrupt.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

try
{
    var config = BenchConfig.FromEnvironment(FindRoot());
    return new Bench(config, interrupt.Token).Run();
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"bench-runner: {e.Message}");
    return 2;
}

static string FindRoot()
{
    if (Environment.GetEnvironmentVariable("BENCH_ROOT") is { Length: > 0 } root)
        return Path.GetFullPath(root);
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ManagedCephFuse.sln")))
            return dir.FullName;
    }
    throw new ConfigException("run it from the repository (no ManagedCephFuse.sln above the current directory) or set BENCH_ROOT");
}
