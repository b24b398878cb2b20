using System.Globalization;

namespace ManagedCephFuse.BenchRunner;

/// <summary>
/// Every knob of the bench, from environment variables (make passes its command-line variables through):
/// <c>make bench BENCH_QUICK=1 BENCH_CONTENDERS=ceph-fuse,direct,managed</c>. docs/benchmarks.md lists them.
/// </summary>
internal sealed record BenchConfig
{
    public required string Root { get; init; }
    public bool Quick { get; init; }
    public required IReadOnlyList<string> Suites { get; init; }
    public required IReadOnlyList<string> CephContenders { get; init; }
    public required IReadOnlyList<string> FuseContenders { get; init; }
    /// <summary>Workload ids to run; null runs all.</summary>
    public IReadOnlySet<string>? Workloads { get; init; }
    public int CephRepetitions { get; init; }
    public int FuseRepetitions { get; init; }

    // ceph suite sizes
    public long SequentialSize { get; init; }
    public double RandomSeconds { get; init; }
    public int MetadataFiles { get; init; }
    public int ListFiles { get; init; }
    public int SmallFiles { get; init; }
    public int SmallFileSize { get; init; }

    // FUSE-layer suite sizes
    public long FuseFileSize { get; init; }
    public int FuseReadPasses { get; init; }
    public int FuseStats { get; init; }
    public int FuseFiles { get; init; }

    // where things are
    public required string WorkDir { get; init; }
    public required string ClusterDir { get; init; }
    public long MemstoreBytes { get; init; }
    public required string ResultsDir { get; init; }
    public required string ToolsDir { get; init; }
    public required string DirectBinary { get; init; }
    public required string ManagedBinary { get; init; }
    public IReadOnlyList<string> CephFuseArgs { get; init; } = [];
    public IReadOnlyList<string> ManagedArgs { get; init; } = [];
    public IReadOnlyList<string> ManagedMemoryArgs { get; init; } = [];
    /// <summary>Free text for the results file (what else ran, what changed since the last run).</summary>
    public string? Note { get; init; }

    public static readonly string[] KnownSuites = ["fuse", "ceph"];

    /// <summary>Every contender of each suite runs unless BENCH_CONTENDERS / BENCH_FUSE_CONTENDERS say otherwise.</summary>
    public const string DefaultCephContenders = "ceph-fuse,direct,managed";
    public const string DefaultFuseContenders = "libfuse-ref,libfuse-ref-1t,tmpfs,managed-memory";

    /// <summary>Name, default (full / quick) and meaning of every variable, for --help and the docs.</summary>
    public static readonly (string Name, string Default, string Meaning)[] Knobs =
    [
        ("BENCH_QUICK", "0", "1: small sizes and short runs (a smoke test of the whole pipeline, about 3 min)"),
        ("BENCH_SUITES", "fuse,ceph", "which suites: fuse (FUSE layer alone, no cluster), ceph (the cluster comparison)"),
        ("BENCH_CONTENDERS", "ceph-fuse,direct,managed", "ceph suite contenders, in alternation order: ceph-fuse, direct, managed"),
        ("BENCH_FUSE_CONTENDERS", "libfuse-ref,libfuse-ref-1t,tmpfs,managed-memory", "FUSE suite contenders: libfuse-ref, libfuse-ref-1t, tmpfs, managed-memory"),
        ("BENCH_WORKLOADS", "(all)", "comma-separated workload ids (see docs/benchmarks.md), e.g. seq-write,metadata"),
        ("BENCH_REPS", "3", "repetitions per workload and contender in the ceph suite (medians need >= 3)"),
        ("BENCH_FUSE_REPS", "5", "repetitions in the FUSE suite"),
        ("BENCH_SEQ_SIZE", "1G / 128M", "sequential write/read size (1 MiB blocks); also the random-I/O file"),
        ("BENCH_RAND_SECONDS", "10 / 3", "duration of each random 4 KiB I/O run"),
        ("BENCH_FILES", "10000 / 1000", "files created, stat'ed and unlinked"),
        ("BENCH_LS_FILES", "10000 / 1000", "entries of the ls -l directory"),
        ("BENCH_SMALL_FILES", "2000 / 200", "small files written and read"),
        ("BENCH_SMALL_SIZE", "16K", "size of each small file"),
        ("BENCH_FUSE_FILE_SIZE", "256M / 64M", "FUSE suite: the file read in 1 MiB blocks"),
        ("BENCH_FUSE_PASSES", "4 / 2", "FUSE suite: reads of that file per measurement"),
        ("BENCH_FUSE_STATS", "20000 / 5000", "FUSE suite: stat(2) calls per measurement"),
        ("BENCH_FUSE_FILES", "10000 / 2000", "FUSE suite: files created and unlinked"),
        ("BENCH_CLUSTER_DIR", ".cluster-bench", "the bench's own throwaway cluster (never the test cluster)"),
        ("CLUSTER_MEMSTORE_BYTES", "(computed)", "memstore capacity of the bench cluster"),
        ("BENCH_WORK_DIR", ".bench", "mount points and contender logs"),
        ("BENCH_RESULTS_DIR", "perf/results", "where <date>.md and <date>.json go"),
        ("BENCH_TOOLS_DIR", "artifacts/bench", "fsops, libfuse-ref and ceph-direct (built by make bench)"),
        ("BENCH_MANAGED_BIN", "bin/managed-cephfuse", "the managed-cephfuse binary"),
        ("BENCH_CEPH_FUSE_ARGS", "", "extra arguments for ceph-fuse (space-separated)"),
        ("BENCH_MANAGED_ARGS", "", "extra arguments for managed-cephfuse in the ceph suite"),
        ("BENCH_MANAGED_MEMORY_ARGS", "", "extra arguments for managed-cephfuse --backend memory"),
        ("BENCH_NOTE", "", "a note for the results file (what else ran, what changed)"),
    ];

    public static BenchConfig FromEnvironment(string root)
    {
        bool quick = Env("BENCH_QUICK") is "1" or "true" or "yes";
        string Path(string name, string relativeDefault) =>
            global::System.IO.Path.GetFullPath(Env(name) ?? relativeDefault, root);
        long seqSize = Size("BENCH_SEQ_SIZE", quick ? 128L << 20 : 1L << 30);
        int contenderCount = List("BENCH_CONTENDERS", DefaultCephContenders).Count;
        return new BenchConfig
        {
            Root = root,
            Quick = quick,
            Suites = List("BENCH_SUITES", "fuse,ceph"),
            CephContenders = List("BENCH_CONTENDERS", DefaultCephContenders),
            FuseContenders = List("BENCH_FUSE_CONTENDERS", DefaultFuseContenders),
            Workloads = Env("BENCH_WORKLOADS") is { Length: > 0 } w ? List("BENCH_WORKLOADS", "").ToHashSet() : null,
            CephRepetitions = Int("BENCH_REPS", 3),
            FuseRepetitions = Int("BENCH_FUSE_REPS", 5),
            SequentialSize = seqSize,
            RandomSeconds = Double("BENCH_RAND_SECONDS", quick ? 3 : 10),
            MetadataFiles = Int("BENCH_FILES", quick ? 1000 : 10_000),
            ListFiles = Int("BENCH_LS_FILES", quick ? 1000 : 10_000),
            SmallFiles = Int("BENCH_SMALL_FILES", quick ? 200 : 2000),
            SmallFileSize = (int)Size("BENCH_SMALL_SIZE", 16 << 10),
            FuseFileSize = Size("BENCH_FUSE_FILE_SIZE", quick ? 64L << 20 : 256L << 20),
            FuseReadPasses = Int("BENCH_FUSE_PASSES", quick ? 2 : 4),
            FuseStats = Int("BENCH_FUSE_STATS", quick ? 5000 : 20_000),
            FuseFiles = Int("BENCH_FUSE_FILES", quick ? 2000 : 10_000),
            WorkDir = Path("BENCH_WORK_DIR", ".bench"),
            ClusterDir = Path("BENCH_CLUSTER_DIR", ".cluster-bench"),
            // each contender keeps one sequential file, and an overwritten one lingers until the MDS purges it
            MemstoreBytes = Size("CLUSTER_MEMSTORE_BYTES", Math.Max(8L << 30, contenderCount * 2 * seqSize + (2L << 30))),
            ResultsDir = Path("BENCH_RESULTS_DIR", "perf/results"),
            ToolsDir = Path("BENCH_TOOLS_DIR", "artifacts/bench"),
            DirectBinary = global::System.IO.Path.Combine(Path("BENCH_TOOLS_DIR", "artifacts/bench"), "ceph-direct"),
            ManagedBinary = Path("BENCH_MANAGED_BIN", "bin/managed-cephfuse"),
            CephFuseArgs = Words("BENCH_CEPH_FUSE_ARGS"),
            ManagedArgs = Words("BENCH_MANAGED_ARGS"),
            ManagedMemoryArgs = Words("BENCH_MANAGED_MEMORY_ARGS"),
            Note = Env("BENCH_NOTE"),
        };
    }

    public bool Selected(string workloadId) => Workloads is null || Workloads.Contains(workloadId);

    /// <summary>The knob values of this run, for the results file.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("mode", Quick ? "quick (BENCH_QUICK=1)" : "full");
        yield return ("suites", string.Join(",", Suites));
        yield return ("ceph contenders", string.Join(",", CephContenders));
        yield return ("FUSE contenders", string.Join(",", FuseContenders));
        yield return ("workloads", Workloads is null ? "all" : string.Join(",", Workloads));
        yield return ("repetitions", $"ceph {CephRepetitions}, FUSE {FuseRepetitions}");
        yield return ("sequential size", Bytes(SequentialSize));
        yield return ("random I/O", $"{RandomSeconds.ToString(CultureInfo.InvariantCulture)} s per run on the sequential file");
        yield return ("files", $"metadata {MetadataFiles}, ls -l {ListFiles}, small {SmallFiles} x {Bytes(SmallFileSize)}");
        yield return ("FUSE suite", $"file {Bytes(FuseFileSize)} x {FuseReadPasses} passes, {FuseStats} stats, {FuseFiles} files");
        yield return ("memstore", Bytes(MemstoreBytes));
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };

    private static string? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { } v && v.Trim().Length > 0 ? v.Trim() : null;

    private static List<string> List(string name, string fallback) =>
        (Env(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string[] Words(string name) =>
        (Env(name) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static int Int(string name, int fallback) =>
        Env(name) is { } v ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ConfigException($"{name}={v}: expected a positive integer") : fallback;

    private static double Double(string name, double fallback) =>
        Env(name) is { } v ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0
            ? d : throw new ConfigException($"{name}={v}: expected a positive number") : fallback;

    /// <summary>Bytes with an optional binary suffix: 1G, 256M, 16K, 4096.</summary>
    public static long Size(string name, long fallback) =>
        Env(name) is { } v ? ParseSize(v) ?? throw new ConfigException($"{name}={v}: expected a size like 1G, 256M, 16K or 4096") : fallback;

    public static long? ParseSize(string text)
    {
        int shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        string digits = shift == 0 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 && n < (1L << (62 - shift))
            ? n << shift
            : null;
    }
}

/// <summary>A knob has a value the bench cannot use.</summary>
internal sealed class ConfigException(string message) : Exception(message);
