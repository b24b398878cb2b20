using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;
using Xunit;

namespace ManagedCephFuse.BenchRunner.Tests;

/// <summary>What the runner reads from its tools: sizes in knobs, fsops, ceph-direct and fio output.</summary>
[Trait("Category", "Unit")]
public sealed class ParsingTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("16K", 16L << 10)]
    [InlineData("256m", 256L << 20)]
    [InlineData("1G", 1L << 30)]
    public void SizesTakeBinarySuffixes(string text, long bytes) => Assert.Equal(bytes, BenchConfig.ParseSize(text));

    [Theory]
    [InlineData("G")]
    [InlineData("-1M")]
    [InlineData("1.5G")]
    [InlineData("0")]
    public void BadSizesAreRejected(string text) => Assert.Null(BenchConfig.ParseSize(text));

    [Fact]
    public void FsOpsAndDriverAnswersParse()
    {
        var r = MountPointContender.ParseFsOps("ops=10000 bytes=0 seconds=1.250000\n");
        Assert.Equal((10000L, 0L, 1.25), (r.Ops, r.Bytes, r.Seconds));
        var d = DirectContender.Parse("ok ops=256 bytes=268435456 seconds=0.383850");
        Assert.Equal((256L, 268435456L, 0.38385), (d.Ops, d.Bytes, d.Seconds));
        Assert.Throws<FormatException>(() => MountPointContender.ParseFsOps("fsops: stat x: No such file"));
    }
}

/// <summary>fio's JSON as this machine's fio writes it (a real run on a temporary file).</summary>
[Trait("Category", "Unit")]
public sealed class FioParsingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-fio-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string RunFio(params string[] options)
    {
        string[] args = [$"--name=t", $"--filename={Path.Combine(_dir, "f")}", "--ioengine=psync", "--fallocate=none",
            "--output-format=json", .. options];
        return Tool.Output("fio", args, TimeSpan.FromMinutes(2), CancellationToken.None);
    }

    [Fact]
    public void SequentialWriteCountsEveryBlockAndBothRunTimeAndBytes()
    {
        var r = MountPointContender.ParseFio(RunFio("--rw=write", "--bs=1M", "--size=8M", "--end_fsync=1"), "write");
        Assert.Equal(8, r.Ops);
        Assert.Equal(8L << 20, r.Bytes);
        Assert.True(r.Seconds > 0);
    }

    [Fact]
    public void GroupReportingSumsTheJobs()
    {
        RunFio("--rw=write", "--bs=1M", "--size=4M");
        var r = MountPointContender.ParseFio(
            RunFio("--rw=randread", "--bs=4k", "--size=4M", "--numjobs=2", "--group_reporting", "--time_based", "--runtime=1s"),
            "read");
        Assert.True(r.Ops > 100, $"only {r.Ops} reads in a second");
        Assert.Equal(r.Ops * 4096, r.Bytes);
        Assert.InRange(r.Seconds, 0.9, 3);
    }

    [Fact]
    public void ADirectionWithoutIoIsAnError() =>
        Assert.Throws<FormatException>(() =>
            MountPointContender.ParseFio(RunFio("--rw=write", "--bs=1M", "--size=1M"), "read"));
}
