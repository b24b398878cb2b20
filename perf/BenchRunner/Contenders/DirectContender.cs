using System.Diagnostics;
using System.Globalization;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.BenchRunner.Workloads;

namespace ManagedCephFuse.BenchRunner.Contenders;

/// <summary>
/// libcephfs called directly: the ceph-direct driver (perf/CephDirect), one long-lived process with one
/// mount, as long-lived as a FUSE daemon, doing each operation itself on request (stdin/stdout lines). Its own
/// CPU time and peak RSS are its cost; a cold cache is a fresh process.
/// </summary>
internal sealed class DirectContender(string binary, string cephConf, string clientId, string root, string logFile)
    : IContender, IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromHours(1);

    private Process? _driver;
    private StreamWriter? _log;

    public string Name => "direct";

    public string Description => $"{binary} --conf {cephConf} --id {clientId} --root {root}";

    public int? MeasuredPid => _driver is { HasExited: false } d ? d.Id : null;

    public void Start(CancellationToken cancel)
    {
        if (!File.Exists(binary))
            throw new ContenderException($"direct: {binary} does not exist (make bench builds it)");
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        _log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        _log.WriteLine($"==== {DateTime.Now:O} {Description}");
        var start = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])["--conf", cephConf, "--id", clientId, "--root", root])
            start.ArgumentList.Add(a);
        _driver = Process.Start(start) ?? throw new ContenderException($"direct: cannot start {binary}");
        var log = _log;
        _driver.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _driver.BeginErrorReadLine();
        string? hello = ReadAnswer(StartTimeout, cancel);
        if (hello != "ready")
        {
            Stop();
            throw new ContenderException($"direct: {binary} did not mount: {hello ?? "it exited"} (log: {logFile})");
        }
    }

    public void MakeCold(CancellationToken cancel)
    {
        Stop();
        Mounts.DropCaches();
        Start(cancel);
    }

    public OpResult Run(Operation operation, CancellationToken cancel)
    {
        string request = operation switch
        {
            SequentialWrite w => $"seqwrite {w.File} {w.Size} {w.BlockSize}",
            SequentialRead r => $"seqread {r.File} {r.BlockSize}",
            RandomIo io => FormattableString.Invariant(
                $"{(io.Write ? "randwrite" : "randread")} {io.File} {io.BlockSize} {io.Jobs} {io.Seconds} {(io.Direct ? "direct" : "buffered")}"),
            FileOps f => $"{f.Kind.ToString().ToLowerInvariant()} {f.Directory} {f.Count}",
            SmallFiles s => $"{(s.Write ? "smallwrite" : "smallread")} {s.Directory} {s.Count} {s.Size}",
            ListLong l => $"listlong {l.Directory}",
            EnsureFile e => $"filesize {e.File}",
            Remove r => $"remove {r.Path}",
            _ => throw new ContenderException($"direct: {operation.GetType().Name} is not something libcephfs direct does (FUSE suite only)"),
        };
        var result = Request(request, cancel);
        if (operation is EnsureFile ensure && result.Bytes != ensure.Size)
            return Request($"seqwrite {ensure.File} {ensure.Size} {1 << 20}", cancel);
        return operation is EnsureFile ? new OpResult(0, 0, 0) : result;
    }

    public void Dispose() => Stop();

    public void Stop()
    {
        if (_driver is null)
            return;
        try
        {
            if (!_driver.HasExited)
            {
                try
                {
                    _driver.StandardInput.WriteLine("quit");
                    _driver.StandardInput.Close();
                }
                catch (IOException)
                {
                    // it is already going
                }
                // unmounting flushes what the client holds: give it time
                if (!_driver.WaitForExit(TimeSpan.FromSeconds(60)) && Native.Signal(_driver.Id, Native.SIGTERM) &&
                    !_driver.WaitForExit(TimeSpan.FromSeconds(15)))
                {
                    Console.Error.WriteLine($"[bench] direct (pid {_driver.Id}) ignored SIGTERM: killing it");
                    _driver.Kill();
                }
            }
            _driver.WaitForExit();
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"[bench] stopping direct: {e.Message}");
        }
        finally
        {
            _driver.Dispose();
            _driver = null;
            _log?.Dispose();
            _log = null;
        }
    }

    private OpResult Request(string request, CancellationToken cancel)
    {
        if (_driver is null || _driver.HasExited)
            throw new ContenderException("direct: the driver is not running");
        _log?.WriteLine($"> {request}");
        _driver.StandardInput.WriteLine(request);
        _driver.StandardInput.Flush();
        string answer = ReadAnswer(OperationTimeout, cancel) ?? throw new ContenderException(
            $"direct: the driver exited during \"{request}\" (log: {logFile})");
        _log?.WriteLine($"< {answer}");
        if (!answer.StartsWith("ok ", StringComparison.Ordinal))
            throw new ContenderException($"direct: {request}: {answer}");
        return Parse(answer);
    }

    /// <summary>"ok ops=N bytes=N seconds=S".</summary>
    internal static OpResult Parse(string answer)
    {
        long ops = 0, bytes = 0;
        double seconds = 0;
        foreach (string word in answer.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            int eq = word.IndexOf('=');
            string value = word[(eq + 1)..];
            switch (word[..eq])
            {
                case "ops": ops = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "bytes": bytes = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "seconds": seconds = double.Parse(value, CultureInfo.InvariantCulture); break;
            }
        }
        return new OpResult(ops, bytes, seconds);
    }

    private string? ReadAnswer(TimeSpan timeout, CancellationToken cancel)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(timeout);
        try
        {
            return _driver!.StandardOutput.ReadLineAsync(timer.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Stop();
            cancel.ThrowIfCancellationRequested();
            throw new ContenderException($"direct: no answer within {timeout.TotalSeconds:F0} s (log: {logFile})");
        }
    }
}
