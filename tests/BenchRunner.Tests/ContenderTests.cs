using System.Runtime.Versioning;
using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.BenchRunner.Workloads;
using Xunit;

namespace ManagedCephFuse.BenchRunner.Tests;

/// <summary>
/// The mount-point side of the bench for real: the C libfuse reference mounted through the kernel, every
/// operation the suites use run on it with fsops, fio and ls, its process measured, unmounted and gone;
/// tmpfs the same way; and a daemon that cannot mount reported with its own words.
/// </summary>
[Trait("Category", "Kernel")]
public sealed class ContenderTests(ToolsFixture tools) : IClassFixture<ToolsFixture>
{
    private FuseDaemonContender LibfuseRef(string name, params string[] extra) =>
        new(name, tools.Tools.LibfuseRef, ["{mountpoint}", "-f", .. extra, "-o", "timeout=0,fsname=libfuse-ref,subtype=libfuse-ref"],
            remountWhenCold: false, Path.Combine(tools.Directory, "mnt", name), "bench",
            Path.Combine(tools.Directory, "logs", $"{name}.log"), tools.Tools);

    [Fact]
    public void TheCReferenceServesEveryOperationOfTheSuitesAndGoesAwayCleanly()
    {
        var reference = LibfuseRef("ref-ops");
        string mountPoint = Path.Combine(tools.Directory, "mnt", "ref-ops");
        int pid;
        try
        {
            reference.Start(CancellationToken.None);
            Assert.Equal("fuse.libfuse-ref", Mounts.TypeAt(mountPoint)); // subtype=libfuse-ref
            pid = reference.MeasuredPid ?? throw new InvalidOperationException("no daemon pid");
            Assert.True(ProcStats.IsRunning(pid));
            var cancel = CancellationToken.None;

            Assert.Equal(8L << 20, reference.Run(new EnsureFile("big.dat", 8L << 20), cancel).Bytes);
            Assert.Equal(0, reference.Run(new EnsureFile("big.dat", 8L << 20), cancel).Ops); // already there
            var buffered = reference.Run(new ReadPasses("big.dat", 1 << 20, 2, Direct: false), cancel);
            Assert.Equal((16L, 16L << 20), (buffered.Ops, buffered.Bytes));
            var direct = reference.Run(new ReadPasses("big.dat", 1 << 20, 2, Direct: true), cancel);
            Assert.Equal(16L << 20, direct.Bytes);

            double cpuBefore = ProcStats.CpuSeconds(pid);
            var stats = reference.Run(new StatLoop("big.dat", 5000), cancel);
            Assert.Equal(5000, stats.Ops);
            // 5,000 uncached stats are 10,000 round trips through the daemon: it must have used CPU
            Assert.True(ProcStats.CpuSeconds(pid) > cpuBefore, "the daemon's CPU time did not move");
            Assert.True(ProcStats.PeakRssBytes(pid) >= 8L << 20, "the 8 MiB file is not in the daemon's memory");

            Assert.Equal(300, reference.Run(new FileOps(FileOpKind.Create, "meta", 300), cancel).Ops);
            Assert.Equal(300, reference.Run(new FileOps(FileOpKind.Stat, "meta", 300), cancel).Ops);
            Assert.True(reference.Run(new ListLong("meta", 300), cancel).Seconds > 0);
            Assert.Equal(300, Directory.GetFiles(Path.Combine(mountPoint, "bench", "meta")).Length);
            Assert.Equal(300, reference.Run(new FileOps(FileOpKind.Unlink, "meta", 300), cancel).Ops);
            Assert.Empty(Directory.GetFiles(Path.Combine(mountPoint, "bench", "meta")));

            Assert.Equal(50L * 16384, reference.Run(new SmallFiles(true, "small", 50, 16384), cancel).Bytes);
            reference.MakeCold(cancel); // an in-memory file system keeps its daemon (and data)
            Assert.Equal(pid, reference.MeasuredPid);
            Assert.Equal(50L * 16384, reference.Run(new SmallFiles(false, "small", 50, 16384), cancel).Bytes);

            var write = reference.Run(new SequentialWrite("seq.dat", 4L << 20, 1 << 20), cancel);
            Assert.Equal((4L, 4L << 20), (write.Ops, write.Bytes));
            Assert.Equal(4L << 20, reference.Run(new SequentialRead("seq.dat", 4L << 20, 1 << 20), cancel).Bytes);
            var random = reference.Run(new RandomIo("seq.dat", 4L << 20, 4096, 2, 0.5, Write: false, Direct: true), cancel);
            Assert.True(random.Ops > 0);
            Assert.True(reference.Run(new RandomIo("seq.dat", 4L << 20, 4096, 1, 0.5, Write: true, Direct: false), cancel).Ops > 0);

            reference.Run(new Remove("small"), cancel);
            reference.Run(new Remove("seq.dat"), cancel);
            Assert.False(Directory.Exists(Path.Combine(mountPoint, "bench", "small")));
            Assert.False(File.Exists(Path.Combine(mountPoint, "bench", "seq.dat")));
        }
        finally
        {
            reference.Stop();
        }
        Assert.Null(Mounts.TypeAt(mountPoint));
        Assert.False(ProcStats.IsRunning(pid));
        Assert.Null(reference.MeasuredPid);
    }

    [Fact]
    public void TmpfsRunsTheSameOperationsWithoutAProcess()
    {
        string mountPoint = Path.Combine(tools.Directory, "mnt", "tmpfs");
        var tmpfs = new TmpfsContender(mountPoint, 64L << 20, tools.Tools);
        try
        {
            tmpfs.Start(CancellationToken.None);
            Assert.Equal("tmpfs", Mounts.TypeAt(mountPoint));
            Assert.Null(tmpfs.MeasuredPid);
            Assert.Equal(100, tmpfs.Run(new FileOps(FileOpKind.Create, "files", 100), CancellationToken.None).Ops);
            Assert.Equal(100, tmpfs.Run(new FileOps(FileOpKind.Unlink, "files", 100), CancellationToken.None).Ops);
        }
        finally
        {
            tmpfs.Stop();
        }
        Assert.Null(Mounts.TypeAt(mountPoint));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void ADaemonThatExitsBeforeMountingIsReportedWithItsOwnMessage()
    {
        // what the placeholder bin/managed-cephfuse does: print a line and exit 1
        string fake = Path.Combine(tools.Directory, "not-a-daemon");
        File.WriteAllText(fake, "#!/bin/sh\necho 'managed-cephfuse: not built yet; only --version works' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var contender = new FuseDaemonContender("managed", fake, ["-f", "{mountpoint}"], remountWhenCold: true,
            Path.Combine(tools.Directory, "mnt", "managed"), "bench-managed", Path.Combine(tools.Directory, "logs", "managed.log"),
            tools.Tools);
        var error = Assert.Throws<ContenderException>(() => contender.Start(CancellationToken.None));
        Assert.Contains("exited with code 1 before mounting", error.Message);
        Assert.Contains("not built yet", error.Message);
        Assert.Null(contender.MeasuredPid);
        contender.Stop(); // nothing to stop: must not throw
    }

    [Fact]
    public void AMissingBinaryIsNamed()
    {
        var contender = new FuseDaemonContender("managed", Path.Combine(tools.Directory, "no-such-binary"), ["{mountpoint}"],
            remountWhenCold: true, Path.Combine(tools.Directory, "mnt", "missing"), "bench", Path.Combine(tools.Directory, "logs", "m.log"),
            tools.Tools);
        var error = Assert.Throws<ContenderException>(() => contender.Start(CancellationToken.None));
        Assert.Contains("no-such-binary does not exist", error.Message);
    }

    [Fact]
    public void ThePeakResidentSetCanBeResetPerStep()
    {
        var reference = LibfuseRef("ref-rss", "-s");
        try
        {
            reference.Start(CancellationToken.None);
            int pid = reference.MeasuredPid!.Value;
            reference.Run(new EnsureFile("grow.dat", 32L << 20), CancellationToken.None);
            long peakAfterWrite = ProcStats.PeakRssBytes(pid);
            Assert.True(peakAfterWrite >= 32L << 20);
            reference.Run(new Remove("grow.dat"), CancellationToken.None);
            // the daemon frees the buffer when the kernel FORGETs the unlinked inode, shortly after
            for (int i = 0; i < 100 && ProcStats.RssBytes(pid) > peakAfterWrite - (16L << 20); i++)
                Thread.Sleep(50);
            Assert.True(ProcStats.RssBytes(pid) < peakAfterWrite - (16L << 20), "the daemon kept the deleted file's memory");
            // (the kernel's RSS counters are per-CPU approximations: allow a little drift)
            Assert.True(ProcStats.PeakRssBytes(pid) >= peakAfterWrite - (1L << 20), "VmHWM fell by itself");
            ProcStats.ResetPeak(pid);
            Assert.True(ProcStats.PeakRssBytes(pid) < peakAfterWrite - (16L << 20),
                $"VmHWM stayed at {ProcStats.PeakRssBytes(pid)} after the reset (was {peakAfterWrite})");
        }
        finally
        {
            reference.Stop();
        }
    }
}
