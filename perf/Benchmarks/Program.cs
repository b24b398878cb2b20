using System.Reflection;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ManagedCephFuse.CephClient;

namespace ManagedCephFuse.Benchmarks;

/// <summary>
/// <c>make microbench</c>: every benchmark in process (the CephFS bridge runs over the fake libcephfs that
/// FAKE_LIBCEPHFS names, which only this process may load instead of the real one), with allocations measured.
/// Arguments go to BenchmarkDotNet (<c>--filter '*Bridge*'</c>, <c>--list flat</c>).
/// </summary>
internal static class BenchmarkProgram
{
    private static void Main(string[] args)
    {
        string fake = Environment.GetEnvironmentVariable("FAKE_LIBCEPHFS")
            ?? Path.Combine(AppContext.BaseDirectory, "libcephfs-fake.so");
        if (!File.Exists(fake))
        {
            Console.Error.WriteLine($"benchmarks: {fake} is missing (make microbench builds it)");
            Environment.Exit(1);
        }
        NativeLibrary.SetDllImportResolver(typeof(CephLowLevel).Assembly, (name, assembly, path) =>
            name.StartsWith("libcephfs", StringComparison.Ordinal) ? NativeLibrary.Load(fake) : IntPtr.Zero);

        IConfig config = DefaultConfig.Instance
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10).WithId("InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile)
            .WithArtifactsPath(Environment.GetEnvironmentVariable("BENCH_ARTIFACTS") ?? Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "microbench"));
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args, config);
    }
}
