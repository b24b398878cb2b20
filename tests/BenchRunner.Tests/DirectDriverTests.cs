using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.BenchRunner.Workloads;
using ManagedCephFuse.TestSupport;
using Xunit;

namespace ManagedCephFuse.BenchRunner.Tests;

/// <summary>
/// The libcephfs-direct contender against the test cluster (make cluster): ceph-direct as its own process,
/// every operation of the ceph suite through its stdin protocol, results that add up, a cold restart, a
/// failing request reported with its errno, and nothing left behind.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class DirectDriverTests
{
    /// <summary>The driver built next to the tests (perf/CephDirect/bin/&lt;config&gt;/net10.0/ceph-direct).</summary>
    private static string DriverBinary()
    {
        string tests = Path.Combine("tests", "BenchRunner.Tests");
        string dir = AppContext.BaseDirectory.Replace(tests, Path.Combine("perf", "CephDirect"), StringComparison.Ordinal);
        string binary = Path.Combine(dir, "ceph-direct");
        return File.Exists(binary) ? binary : throw new InvalidOperationException($"{binary} is missing: build the tests");
    }

    [Fact]
    public void EveryOperationOfTheCephSuiteRunsOnLibcephfsAndAddsUp()
    {
        var env = ClusterEnv.Current;
        string root = $"/bench-test-{Guid.NewGuid():N}";
        string log = Path.Combine(Path.GetTempPath(), $"ceph-direct-{Guid.NewGuid():N}.log");
        var direct = new DirectContender(DriverBinary(), env.ConfPath, "admin", root, log);
        var cancel = CancellationToken.None;
        int firstPid;
        try
        {
            direct.Start(cancel);
            firstPid = direct.MeasuredPid ?? throw new InvalidOperationException("no driver pid");

            var write = direct.Run(new SequentialWrite("seq.dat", 8L << 20, 1 << 20), cancel);
            Assert.Equal((8L, 8L << 20), (write.Ops, write.Bytes));
            Assert.True(write.Seconds > 0);
            Assert.Equal(0, direct.Run(new EnsureFile("seq.dat", 8L << 20), cancel).Ops); // already that size
            Assert.Equal(8L << 20, direct.Run(new SequentialRead("seq.dat", 8L << 20, 1 << 20), cancel).Bytes);

            var reads = direct.Run(new RandomIo("seq.dat", 8L << 20, 4096, 2, 0.5, Write: false, Direct: true), cancel);
            Assert.True(reads.Ops > 10, $"{reads.Ops} random reads in half a second");
            Assert.Equal(reads.Ops * 4096, reads.Bytes);
            Assert.InRange(reads.Seconds, 0.5, 5);
            var writes = direct.Run(new RandomIo("seq.dat", 8L << 20, 4096, 1, 0.5, Write: true, Direct: false), cancel);
            Assert.True(writes.Ops > 0);

            Assert.Equal(100, direct.Run(new FileOps(FileOpKind.Create, "meta", 100), cancel).Ops);
            Assert.Equal(100, direct.Run(new FileOps(FileOpKind.Stat, "meta", 100), cancel).Ops);
            Assert.Equal(100, direct.Run(new ListLong("meta", 100), cancel).Ops); // entries counted, . and .. not
            Assert.Equal(100, direct.Run(new FileOps(FileOpKind.Unlink, "meta", 100), cancel).Ops);
            Assert.Equal(0, direct.Run(new ListLong("meta", 0), cancel).Ops);

            Assert.Equal(20L * 16384, direct.Run(new SmallFiles(true, "small", 20, 16384), cancel).Bytes);
            direct.MakeCold(cancel); // a fresh driver: an empty client cache
            Assert.NotEqual(firstPid, direct.MeasuredPid);
            Assert.False(ProcStats.IsRunning(firstPid));
            Assert.Equal(20L * 16384, direct.Run(new SmallFiles(false, "small", 20, 16384), cancel).Bytes);

            // a request that fails says what and why, and the driver carries on
            var error = Assert.Throws<ContenderException>(() => direct.Run(new FileOps(FileOpKind.Stat, "nowhere", 1), cancel));
            Assert.Contains("ENOENT", error.Message);
            Assert.Throws<ContenderException>(() => direct.Run(new SmallFiles(false, "small", 21, 16384), cancel));
            Assert.Equal(1, direct.Run(new FileOps(FileOpKind.Stat, "small", 1), cancel).Ops);

            // a reading past a short file is an error too, not a silent short count
            Assert.Throws<ContenderException>(() => direct.Run(new SmallFiles(false, "small", 1, 32768), cancel));

            Assert.Throws<ContenderException>(() => direct.Run(new StatLoop("seq.dat", 1), cancel)); // FUSE suite only
        }
        finally
        {
            // leave the file system as it was: the whole test directory goes
            if (direct.MeasuredPid is not null)
                direct.Run(new Remove("."), CancellationToken.None);
            direct.Stop();
            File.Delete(log);
        }
        Assert.Null(direct.MeasuredPid);
    }
}
