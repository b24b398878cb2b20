namespace ManagedCephFuse.BenchRunner.Workloads;

/// <summary>The workloads of issue 6, in the order they run.</summary>
internal static class Suites
{
    private const int MiB = 1 << 20;
    private const int Block4K = 4096;
    private const string SeqFile = "seq.dat";

    /// <summary>The table title of a suite and the contenders its ratios are computed against.</summary>
    public static (string Title, string[] References) Info(string suite) => suite switch
    {
        "ceph" => ("ceph-fuse, managed-cephfuse and libcephfs direct on one cluster", ["ceph-fuse", "direct"]),
        "fuse" => ("the FUSE layer alone (in-memory file systems, no Ceph)", ["libfuse-ref", "libfuse-ref-1t"]),
        _ => (suite, []),
    };

    /// <summary>Every workload id, for validating BENCH_WORKLOADS.</summary>
    public static IEnumerable<string> WorkloadIds(BenchConfig config) =>
        Ceph(config, all: true).Phases.Concat(FuseLayer(config, all: true).Phases).SelectMany(p => p.Workloads).Select(w => w.Id);

    /// <summary>
    /// ceph-fuse, managed-cephfuse and libcephfs direct on one cluster. Two phases, each on a fresh cluster:
    /// data (large and random I/O on one file per contender) and metadata (many small operations).
    /// </summary>
    public static Suite Ceph(BenchConfig c, bool all = false)
    {
        long size = c.SequentialSize;
        Workload Random(string id, string name, int jobs, bool write, bool direct) => new(id,
            [new Untimed(new EnsureFile(SeqFile, size))],
            [new Timed(new Measurement(name, Unit.Iops), new RandomIo(SeqFile, size, Block4K, jobs, c.RandomSeconds, write, direct))]);

        Workload[] data =
        [
            new("seq-write",
                [],
                [
                    new Untimed(new Remove(SeqFile)),
                    new Timed(new Measurement($"seq write 1M, {BenchConfig.Bytes(size)} + fsync", Unit.MiBPerSecond),
                        new SequentialWrite(SeqFile, size, MiB)),
                ]),
            new("seq-read",
                [new Untimed(new EnsureFile(SeqFile, size))],
                [
                    new Cold(),
                    new Timed(new Measurement($"seq read 1M, {BenchConfig.Bytes(size)}, cold", Unit.MiBPerSecond),
                        new SequentialRead(SeqFile, size, MiB)),
                ]),
            Random("rand-read-1", "rand read 4K direct, 1 job", 1, write: false, direct: true),
            Random("rand-read-4", "rand read 4K direct, 4 jobs", 4, write: false, direct: true),
            Random("rand-write-buffered", "rand write 4K buffered + fsync", 1, write: true, direct: false),
            Random("rand-write-direct", "rand write 4K direct", 1, write: true, direct: true),
        ];

        int n = c.MetadataFiles;
        int ls = c.ListFiles;
        int small = c.SmallFiles;
        string smallSize = BenchConfig.Bytes(c.SmallFileSize).Replace(" ", "", StringComparison.Ordinal);
        Workload[] metadata =
        [
            new("metadata",
                [new Untimed(new Remove("meta"))],
                [
                    new Timed(new Measurement($"create {n} files", Unit.OpsPerSecond), new FileOps(FileOpKind.Create, "meta", n)),
                    new Cold(),
                    new Timed(new Measurement($"stat {n} files, cold", Unit.OpsPerSecond), new FileOps(FileOpKind.Stat, "meta", n)),
                    new Timed(new Measurement($"stat {n} files, warm", Unit.OpsPerSecond), new FileOps(FileOpKind.Stat, "meta", n)),
                    new Timed(new Measurement($"unlink {n} files", Unit.OpsPerSecond), new FileOps(FileOpKind.Unlink, "meta", n)),
                    new Untimed(new Remove("meta")),
                ]),
            new("ls",
                [new Untimed(new Remove("ls")), new Untimed(new FileOps(FileOpKind.Create, "ls", ls))],
                [
                    new Cold(),
                    new Timed(new Measurement($"ls -l {ls} entries, cold", Unit.Seconds), new ListLong("ls", ls)),
                    new Timed(new Measurement($"ls -l {ls} entries, warm", Unit.Seconds), new ListLong("ls", ls)),
                ]),
            new("small-files",
                [new Untimed(new Remove("small"))],
                [
                    new Timed(new Measurement($"write {small} x {smallSize} files", Unit.OpsPerSecond),
                        new SmallFiles(true, "small", small, c.SmallFileSize)),
                    new Cold(),
                    new Timed(new Measurement($"read {small} x {smallSize} files, cold", Unit.OpsPerSecond),
                        new SmallFiles(false, "small", small, c.SmallFileSize)),
                    new Untimed(new Remove("small")),
                ]),
        ];

        Phase[] phases =
        [
            new("data", true, data.Where(w => all || c.Selected(w.Id)).ToList()),
            new("metadata", true, metadata.Where(w => all || c.Selected(w.Id)).ToList()),
        ];
        return new Suite("ceph", phases.Where(p => p.Workloads.Count > 0).ToList(), c.CephContenders, c.CephRepetitions);
    }

    /// <summary>The FUSE layer alone: in-memory file systems behind the kernel's FUSE, no Ceph.</summary>
    public static Suite FuseLayer(BenchConfig c, bool all = false)
    {
        long size = c.FuseFileSize;
        string sizeText = BenchConfig.Bytes(size);
        int files = c.FuseFiles;
        Workload[] workloads =
        [
            new("fuse-read",
                [new Untimed(new EnsureFile("big.dat", size))],
                [
                    new Timed(new Measurement($"read 1M buffered, {sizeText} x {c.FuseReadPasses}", Unit.MiBPerSecond),
                        new ReadPasses("big.dat", MiB, c.FuseReadPasses, Direct: false)),
                    new Timed(new Measurement($"read 1M direct, {sizeText} x {c.FuseReadPasses}", Unit.MiBPerSecond),
                        new ReadPasses("big.dat", MiB, c.FuseReadPasses, Direct: true)),
                ]),
            new("fuse-stat",
                [new Untimed(new EnsureFile("stat.dat", 4096))],
                [new Timed(new Measurement("stat(path), uncached", Unit.MicrosecondsPerOp), new StatLoop("stat.dat", c.FuseStats))]),
            new("fuse-create",
                [new Untimed(new Remove("files"))],
                [
                    new Timed(new Measurement($"create {files} files", Unit.OpsPerSecond), new FileOps(FileOpKind.Create, "files", files)),
                    new Timed(new Measurement($"unlink {files} files", Unit.OpsPerSecond), new FileOps(FileOpKind.Unlink, "files", files)),
                    new Untimed(new Remove("files")),
                ]),
        ];
        var selected = workloads.Where(w => all || c.Selected(w.Id)).ToList();
        return new Suite("fuse", selected.Count > 0 ? [new Phase("fuse", false, selected)] : [], c.FuseContenders, c.FuseRepetitions);
    }
}
