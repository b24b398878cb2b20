using System.Globalization;
using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.BenchRunner.Report;
using ManagedCephFuse.BenchRunner.Workloads;

namespace ManagedCephFuse.BenchRunner;

/// <summary>
/// One bench run: for each suite and phase (a fresh cluster per phase of the ceph suite), start every
/// contender, then for each workload prepare every contender and run the repetitions alternated
/// (A B C A B C …), measuring each timed step; stop everything whatever happens; write the report.
/// </summary>
internal sealed class Bench(BenchConfig config, CancellationToken cancel)
{
    private readonly Results _results = new();
    private readonly BenchTools _tools = BenchTools.In(config.ToolsDir, config.DirectBinary);

    public int Run()
    {
        var suites = config.Suites.Select(SuiteNamed).ToList();
        Validate(suites);
        var started = DateTime.UtcNow;
        var machine = Machine.Describe(config.Root);
        string loadAtStart = Machine.Load();
        Progress.Say($"{(config.Quick ? "quick" : "full")} run: suites {string.Join(",", config.Suites)}; {loadAtStart}");
        string? aborted = null;
        try
        {
            foreach (var suite in suites)
            {
                foreach (var phase in suite.Phases)
                    RunPhase(suite, phase);
            }
        }
        catch (Exception e) when (e is ContenderException or InvalidOperationException or TimeoutException or IOException)
        {
            aborted = e.Message;
            Console.Error.WriteLine($"[bench] aborted: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            aborted = "interrupted";
            Console.Error.WriteLine("[bench] interrupted");
        }

        foreach (var table in Summary.Tables(_results.Samples))
            Console.WriteLine(Renderer.Text(table));
        if (_results.Samples.Count > 0)
            WriteReport(started, machine, loadAtStart, Machine.Load(), aborted);
        foreach (var f in _results.Failures)
            Console.Error.WriteLine($"[bench] FAILED {f.Suite}/{f.Workload} on {f.Contender}: {f.Message}");
        return aborted is not null || _results.Failures.Count > 0 ? 1 : 0;
    }

    private Suite SuiteNamed(string name) => name switch
    {
        "ceph" => Suites.Ceph(config),
        "fuse" => Suites.FuseLayer(config),
        _ => throw new ConfigException($"BENCH_SUITES: unknown suite \"{name}\" (known: {string.Join(", ", BenchConfig.KnownSuites)})"),
    };

    /// <summary>Everything that can be checked before a cluster is started or anything is mounted.</summary>
    private void Validate(List<Suite> suites)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new ConfigException("make bench needs root: it mounts file systems and drops the kernel's caches");
        if (config.Workloads is not null)
        {
            var known = Suites.WorkloadIds(config).ToHashSet();
            foreach (string w in config.Workloads.Where(w => !known.Contains(w)))
                throw new ConfigException($"BENCH_WORKLOADS: unknown workload \"{w}\" (known: {string.Join(", ", known)})");
        }
        foreach (var suite in suites)
        {
            string[] allowed = suite.Name == "ceph" ? ContenderCatalog.CephSuite : ContenderCatalog.FuseSuite;
            foreach (string name in suite.Contenders.Where(n => !allowed.Contains(n)))
                throw new ConfigException($"the {suite.Name} suite has no contender \"{name}\" (it has: {string.Join(", ", allowed)})");
            if (suite.Contenders.Count != suite.Contenders.Distinct().Count())
                throw new ConfigException($"the {suite.Name} suite lists a contender twice");
        }
        if (suites.All(s => s.Phases.Count == 0))
            throw new ConfigException("BENCH_WORKLOADS selects no workload of the selected suites");
        void Need(string path, string why)
        {
            if (!File.Exists(path))
                throw new ConfigException($"{path} is missing ({why}); make bench builds it");
        }
        Need(_tools.FsOps, "the file-operation client");
        if (config.Suites.Contains("fuse") && config.FuseContenders.Any(c => c.StartsWith("libfuse-ref", StringComparison.Ordinal)))
            Need(_tools.LibfuseRef, "the C libfuse reference");
        if (config.Suites.Contains("ceph") && config.CephContenders.Contains("direct"))
            Need(_tools.Direct, "the libcephfs direct driver");
        if (Tool.TryOutput("fio", "--version") is null)
            throw new ConfigException("fio is not installed (scripts/install-deps.sh bench)");
    }

    private void RunPhase(Suite suite, Phase phase)
    {
        Progress.Say($"== {suite.Name}/{phase.Name}: {string.Join(", ", phase.Workloads.Select(w => w.Id))}; " +
            $"contenders {string.Join(", ", suite.Contenders)}; {suite.Repetitions} repetitions");
        using var cluster = phase.NeedsCluster ? new BenchCluster(config) : null;
        var access = cluster?.Up(cancel);
        var contenders = suite.Contenders.Select(n => ContenderCatalog.Create(n, config, _tools, access)).ToList();
        var dead = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var contender in contenders)
            {
                Progress.Say($"starting {contender.Name}: {contender.Description}");
                contender.Start(cancel);
                // paths relative to the repository: the results file reads the same on every checkout
                _results.Contenders.TryAdd(contender.Name, contender.Description.Replace(config.Root + "/", "", StringComparison.Ordinal));
            }
            foreach (var workload in phase.Workloads)
            {
                var failed = new HashSet<string>(dead, StringComparer.Ordinal);
                foreach (var contender in contenders.Where(c => !failed.Contains(c.Name)))
                {
                    Progress.Say($"{suite.Name}/{workload.Id}: preparing {contender.Name}");
                    Attempt(suite, phase, workload, contender, workload.Prepare, 0, failed, dead);
                }
                for (int rep = 1; rep <= suite.Repetitions; rep++)
                {
                    foreach (var contender in contenders.Where(c => !failed.Contains(c.Name)))
                        Attempt(suite, phase, workload, contender, workload.Repetition, rep, failed, dead);
                }
            }
        }
        finally
        {
            foreach (var contender in Enumerable.Reverse(contenders))
                contender.Stop();
        }
    }

    /// <summary>Runs steps; a failure is recorded, the contender is restarted (or given up on for the phase)
    /// and skipped for the rest of this workload.</summary>
    private void Attempt(Suite suite, Phase phase, Workload workload, IContender contender, IReadOnlyList<Step> steps,
        int rep, HashSet<string> failed, HashSet<string> dead)
    {
        try
        {
            RunSteps(suite, phase, workload, contender, steps, rep);
        }
        catch (Exception e) when (e is ContenderException or IOException or FormatException or TimeoutException
                                      or InvalidOperationException or UnauthorizedAccessException)
        {
            _results.Failures.Add(new Failure(suite.Name, workload.Id, contender.Name, e.Message));
            Progress.Say($"FAILED {suite.Name}/{workload.Id} on {contender.Name}: {e.Message}");
            failed.Add(contender.Name);
            try
            {
                contender.Stop();
                contender.Start(cancel);
            }
            catch (ContenderException restart)
            {
                Progress.Say($"{contender.Name} does not start again ({restart.Message}): skipped for the rest of {phase.Name}");
                dead.Add(contender.Name);
            }
        }
    }

    private void RunSteps(Suite suite, Phase phase, Workload workload, IContender contender, IReadOnlyList<Step> steps, int rep)
    {
        foreach (var step in steps)
        {
            cancel.ThrowIfCancellationRequested();
            switch (step)
            {
                case Untimed untimed:
                    contender.Run(untimed.Operation, cancel);
                    break;
                case Cold:
                    contender.MakeCold(cancel);
                    break;
                case Timed timed:
                    Measure(suite, phase, workload, contender, timed, rep);
                    break;
            }
        }
    }

    private void Measure(Suite suite, Phase phase, Workload workload, IContender contender, Timed timed, int rep)
    {
        int? pid = contender.MeasuredPid;
        double cpuBefore = 0;
        if (pid is { } p)
        {
            cpuBefore = ProcStats.CpuSeconds(p);
            ProcStats.ResetPeak(p);
        }
        var result = contender.Run(timed.Operation, cancel);
        double? cpu = null;
        long? peak = null;
        if (pid is { } q)
        {
            if (contender.MeasuredPid != q)
                throw new ContenderException($"{contender.Name}: its process (pid {q}) exited during {timed.Measurement.Name}");
            cpu = ProcStats.CpuSeconds(q) - cpuBefore;
            peak = ProcStats.PeakRssBytes(q);
        }
        if (result.Seconds <= 0 || result.Ops <= 0)
            throw new ContenderException($"{contender.Name}: {timed.Measurement.Name} did nothing measurable ({result})");
        var unit = timed.Measurement.Unit;
        double value = unit.ValueOf(result);
        _results.Samples.Add(new Sample(suite.Name, phase.Name, workload.Id, timed.Measurement.Name, unit.Symbol(),
            unit.HigherIsBetter(), contender.Name, rep, value, result.Ops, result.Bytes, result.Seconds, cpu, peak));
        string cost = cpu is null ? "" : FormattableString.Invariant($", CPU {cpu:F2} s, peak RSS {peak / 1048576} MiB");
        Progress.Say($"{suite.Name}/{workload.Id} rep {rep}/{suite.Repetitions} {contender.Name}: {timed.Measurement.Name}: " +
            $"{Renderer.Number(value)} {unit.Symbol()}{cost}");
    }

    private void WriteReport(DateTime started, Machine machine, string loadAtStart, string loadAtEnd, string? aborted)
    {
        Directory.CreateDirectory(config.ResultsDir);
        string fileName = started.ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture) + (config.Quick ? "-quick" : "");
        string stem = Path.Combine(config.ResultsDir, fileName);
        for (int n = 2; File.Exists(stem + ".md"); n++)
            stem = Path.Combine(config.ResultsDir, $"{fileName}-{n}");
        double duration = Progress.Elapsed.TotalSeconds;
        var document = new ReportDocument(started.ToString("O", CultureInfo.InvariantCulture), duration, config.Quick,
            aborted is null, aborted, machine.Facts.Select(f => new NameValue(f.Name, f.Value)).ToList(), loadAtStart, loadAtEnd,
            config.Describe().Select(d => new NameValue(d.Name, d.Value)).ToList(),
            _results.Contenders.Select(c => new NameValue(c.Key, c.Value)).ToList(),
            _results.Samples, _results.Failures, config.Note);
        ReportWriter.Save(document, stem);
        Console.WriteLine($"results: {Path.GetRelativePath(config.Root, stem)}.md (and .json); took {duration / 60:F1} min");
    }
}
