using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.BenchRunner.Workloads;
using ManagedCephFuse.TestSupport;
using Xunit;

namespace ManagedCephFuse.BenchRunner.Tests;

/// <summary>
/// managed-cephfuse as make bench runs it, built by the catalog with the runner's own arguments: the memory
/// backend for the FUSE suite (no default_permissions, timeouts 0, like the C reference) and the CephFS backend
/// against the test cluster — every kind of operation of the suites, a cold restart, and nothing left behind.
/// </summary>
public sealed class ManagedContenderTests(ToolsFixture tools) : IClassFixture<ToolsFixture>
{
    private BenchConfig Config() => new()
    {
        Root = Repository.Root,
        Suites = ["fuse", "ceph"],
        CephContenders = ["managed"],
        FuseContenders = ["managed-memory"],
        WorkDir = tools.Directory,
        ClusterDir = ClusterEnv.Current.Directory,
        ResultsDir = tools.Directory,
        ToolsDir = tools.Directory,
        DirectBinary = "unused",
        ManagedBinary = Repository.Binary("managed-cephfuse"),
        FuseFileSize = 16L << 20,
    };

    [Fact]
    [Trait("Category", "Kernel")]
    public void TheMemoryBackendRunsTheFuseSuiteWithTheReferencesOptions()
    {
        IContender managed = ContenderCatalog.Create("managed-memory", Config() with { ClusterDir = "/nonexistent" }, tools.Tools, null);
        string mountPoint = Path.Combine(tools.Directory, "mnt", "managed-memory");
        int pid;
        try
        {
            managed.Start(CancellationToken.None);
            pid = managed.MeasuredPid ?? throw new InvalidOperationException("no daemon pid");
            string line = File.ReadAllLines("/proc/mounts").Single(l => l.Split(' ')[1] == mountPoint);
            Assert.DoesNotContain("default_permissions", line, StringComparison.Ordinal); // as the C reference mounts
            var cancel = CancellationToken.None;
            Assert.Equal(16L << 20, managed.Run(new EnsureFile("big.dat", 16L << 20), cancel).Bytes);
            Assert.Equal(32L << 20, managed.Run(new ReadPasses("big.dat", 1 << 20, 2, Direct: false), cancel).Bytes);
            Assert.Equal(32L << 20, managed.Run(new ReadPasses("big.dat", 1 << 20, 2, Direct: true), cancel).Bytes);
            double cpu = ProcStats.CpuSeconds(pid);
            Assert.Equal(3000, managed.Run(new StatLoop("big.dat", 3000), cancel).Ops);
            Assert.True(ProcStats.CpuSeconds(pid) > cpu, "timeouts 0: every stat reaches the daemon");
            Assert.Equal(200, managed.Run(new FileOps(FileOpKind.Create, "meta", 200), cancel).Ops);
            Assert.True(managed.Run(new ListLong("meta", 200), cancel).Seconds > 0);
            Assert.Equal(200, managed.Run(new FileOps(FileOpKind.Unlink, "meta", 200), cancel).Ops);
            managed.MakeCold(cancel);
            Assert.Equal(pid, managed.MeasuredPid); // the memory backend holds the data: never restarted
        }
        finally
        {
            managed.Stop();
        }
        Assert.Null(Mounts.TypeAt(mountPoint));
        Assert.False(ProcStats.IsRunning(pid));
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public void TheCephFsBackendRunsTheCephSuiteAndRestartsCold()
    {
        var env = ClusterEnv.Current;
        IContender managed = ContenderCatalog.Create("managed", Config(), tools.Tools, new CephAccess(env.ConfPath, "admin"));
        string mountPoint = Path.Combine(tools.Directory, "mnt", "managed");
        var cancel = CancellationToken.None;
        int firstPid, secondPid;
        try
        {
            managed.Start(cancel);
            Assert.Equal("fuse.ceph-fuse", Mounts.TypeAt(mountPoint)); // ceph-fuse's fsname and subtype
            firstPid = managed.MeasuredPid ?? throw new InvalidOperationException("no daemon pid");
            Assert.Equal(8L << 20, managed.Run(new SequentialWrite("seq.dat", 8L << 20, 1 << 20), cancel).Bytes);
            managed.MakeCold(cancel);
            secondPid = managed.MeasuredPid ?? throw new InvalidOperationException("no daemon pid after the restart");
            Assert.NotEqual(firstPid, secondPid);
            Assert.False(ProcStats.IsRunning(firstPid));
            Assert.Equal(8L << 20, managed.Run(new SequentialRead("seq.dat", 8L << 20, 1 << 20), cancel).Bytes);
            Assert.True(managed.Run(new RandomIo("seq.dat", 8L << 20, 4096, 2, 0.5, Write: false, Direct: true), cancel).Ops > 10);
            Assert.True(managed.Run(new RandomIo("seq.dat", 8L << 20, 4096, 1, 0.5, Write: true, Direct: false), cancel).Ops > 10);
            Assert.Equal(100, managed.Run(new FileOps(FileOpKind.Create, "meta", 100), cancel).Ops);
            Assert.Equal(100, managed.Run(new FileOps(FileOpKind.Stat, "meta", 100), cancel).Ops);
            Assert.True(managed.Run(new ListLong("meta", 100), cancel).Seconds > 0);
            Assert.Equal(100, managed.Run(new FileOps(FileOpKind.Unlink, "meta", 100), cancel).Ops);
            Assert.Equal(20L * 16384, managed.Run(new SmallFiles(true, "small", 20, 16384), cancel).Bytes);
            Assert.Equal(20L * 16384, managed.Run(new SmallFiles(false, "small", 20, 16384), cancel).Bytes);
            managed.Run(new Remove("small"), cancel);
            managed.Run(new Remove("meta"), cancel);
            managed.Run(new Remove("seq.dat"), cancel);
        }
        finally
        {
            managed.Stop();
        }
        Assert.Null(Mounts.TypeAt(mountPoint));
        Assert.False(ProcStats.IsRunning(secondPid));
    }
}
