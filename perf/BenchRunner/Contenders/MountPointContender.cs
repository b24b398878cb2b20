using System.Globalization;
using System.Text.Json;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.BenchRunner.Workloads;

namespace ManagedCephFuse.BenchRunner.Contenders;

/// <summary>
/// A contender reached through a mount point: operations run as the programs a user would run there —
/// fio (Debian's) for large and random I/O, fsops (perf/tools/fsops.c) for metadata, small files, stat loops
/// and read passes, and ls -l. Subclasses only say how the mount comes and goes.
/// </summary>
internal abstract class MountPointContender(string name, string mountPoint, string workSubdirectory, BenchTools tools)
    : IContender
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromHours(1);

    public string Name { get; } = name;
    public abstract string Description { get; }
    public abstract int? MeasuredPid { get; }
    protected string MountPoint { get; } = mountPoint;

    /// <summary>Where this contender's files go: a directory of its own under the mount.</summary>
    protected string WorkDir => Path.Combine(MountPoint, workSubdirectory);

    public abstract void Start(CancellationToken cancel);
    public abstract void MakeCold(CancellationToken cancel);
    public abstract void Stop();

    public OpResult Run(Operation operation, CancellationToken cancel) => operation switch
    {
        SequentialWrite w => Fio("write", w.File, ["--rw=write", $"--bs={w.BlockSize}", $"--size={w.Size}", "--end_fsync=1"], cancel),
        SequentialRead r => Fio("read", r.File, ["--rw=read", $"--bs={r.BlockSize}", $"--size={r.Size}"], cancel),
        RandomIo io => Fio(io.Write ? "write" : "read", io.File,
            [
                io.Write ? "--rw=randwrite" : "--rw=randread", $"--bs={io.BlockSize}", $"--size={io.FileSize}",
                $"--numjobs={io.Jobs}", "--group_reporting", "--time_based",
                FormattableString.Invariant($"--runtime={io.Seconds}s"), io.Direct ? "--direct=1" : "--direct=0",
                io.Write ? "--end_fsync=1" : "--end_fsync=0",
            ], cancel),
        FileOps f => FsOps([f.Kind.ToString().ToLowerInvariant(), Full(f.Directory), Text(f.Count)], cancel),
        SmallFiles s => FsOps([s.Write ? "smallwrite" : "smallread", Full(s.Directory), Text(s.Count), Text(s.Size)], cancel),
        StatLoop s => FsOps(["statloop", Full(s.Path), Text(s.Count)], cancel),
        ReadPasses r => FsOps(["readpass", Full(r.File), Text(r.BlockSize), Text(r.Passes), r.Direct ? "direct" : "buffered"], cancel),
        ListLong l => ListLongOnMount(l, cancel),
        EnsureFile e => EnsureFileOnMount(e, cancel),
        Remove r => RemoveOnMount(r),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "unknown operation"),
    };

    /// <summary>syncfs, then drop the kernel's page, dentry and inode caches.</summary>
    protected void SyncAndDropCaches()
    {
        Native.SyncFileSystem(MountPoint);
        Mounts.DropCaches();
    }

    protected void MakeWorkDir()
    {
        try
        {
            Directory.CreateDirectory(WorkDir);
        }
        catch (IOException e)
        {
            throw new ContenderException($"{Name}: cannot make {WorkDir} on the fresh mount: {e.Message}");
        }
    }

    private string Full(string relative) => Path.Combine(WorkDir, relative);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private OpResult FsOps(string[] arguments, CancellationToken cancel)
    {
        var result = Tool.Run(tools.FsOps, arguments, OperationTimeout, cancel);
        if (result.ExitCode != 0)
            throw new ContenderException($"{Name}: fsops {string.Join(' ', arguments)} failed: {result.Tail()}");
        return ParseFsOps(result.Output);
    }

    /// <summary>fsops prints "ops=N bytes=N seconds=S".</summary>
    internal static OpResult ParseFsOps(string output)
    {
        long ops = -1, bytes = -1;
        double seconds = -1;
        foreach (string word in output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith("ops=", StringComparison.Ordinal))
                ops = long.Parse(word[4..], CultureInfo.InvariantCulture);
            else if (word.StartsWith("bytes=", StringComparison.Ordinal))
                bytes = long.Parse(word[6..], CultureInfo.InvariantCulture);
            else if (word.StartsWith("seconds=", StringComparison.Ordinal))
                seconds = double.Parse(word[8..], CultureInfo.InvariantCulture);
        }
        if (ops < 0 || bytes < 0 || seconds < 0)
            throw new FormatException($"unexpected fsops output: {output.Trim()}");
        return new OpResult(ops, bytes, seconds);
    }

    private OpResult Fio(string direction, string file, string[] options, CancellationToken cancel)
    {
        string[] arguments =
        [
            $"--name={Name}", $"--filename={Full(file)}", "--ioengine=psync", "--fallocate=none",
            "--output-format=json", .. options,
        ];
        var result = Tool.Run("fio", arguments, OperationTimeout, cancel);
        if (result.ExitCode != 0)
            throw new ContenderException($"{Name}: fio {string.Join(' ', arguments)} failed: {result.Tail()}");
        return ParseFio(result.Output, direction);
    }

    /// <summary>
    /// The I/O count, bytes and run time of fio's JSON report (one job, or the group with group_reporting).
    /// fio's run time includes end_fsync. fio prints notes before the JSON object on some errors: skip them.
    /// </summary>
    internal static OpResult ParseFio(string output, string direction)
    {
        int start = output.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
            throw new FormatException($"fio printed no JSON: {output.Trim()}");
        using var json = JsonDocument.Parse(output[start..]);
        var job = json.RootElement.GetProperty("jobs")[0];
        var stats = job.GetProperty(direction);
        long ios = stats.GetProperty("total_ios").GetInt64();
        long bytes = stats.GetProperty("io_bytes").GetInt64();
        double runtimeMs = stats.GetProperty("runtime").GetDouble();
        if (job.GetProperty("error").GetInt32() is var error and not 0)
            throw new FormatException($"fio reports error {error}");
        if (ios == 0 || runtimeMs <= 0)
            throw new FormatException($"fio did no {direction} I/O");
        return new OpResult(ios, bytes, runtimeMs / 1000.0);
    }

    private OpResult ListLongOnMount(ListLong list, CancellationToken cancel)
    {
        // what a user runs; the sort and formatting are part of it, the output goes nowhere
        var watch = global::System.Diagnostics.Stopwatch.StartNew();
        var result = Tool.Run("/bin/sh", ["-c", "LC_ALL=C exec ls -l -- \"$1\" >/dev/null", "sh", Full(list.Directory)],
            OperationTimeout, cancel);
        double seconds = watch.Elapsed.TotalSeconds;
        if (result.ExitCode != 0)
            throw new ContenderException($"{Name}: ls -l {Full(list.Directory)} failed: {result.Tail()}");
        return new OpResult(list.ExpectedEntries, 0, seconds);
    }

    private OpResult EnsureFileOnMount(EnsureFile ensure, CancellationToken cancel)
    {
        var info = new FileInfo(Full(ensure.File));
        if (info.Exists && info.Length == ensure.Size)
            return new OpResult(0, 0, 0);
        return FsOps(["writefile", info.FullName, Text(ensure.Size), Text(1 << 20)], cancel);
    }

    private OpResult RemoveOnMount(Remove remove)
    {
        string path = Full(remove.Path);
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        else if (File.Exists(path))
            File.Delete(path);
        return new OpResult(1, 0, 0);
    }
}
