using System.Diagnostics;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>Successes and failures of one workload during one fault: how many, the longest gap between two
/// successes (the stall), and the errors by errno and call ("EIO writer:fsync").</summary>
internal sealed class OperationLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _errors = [];
    private readonly string _workload;
    private long _last;
    private long _longestGap;
    private long _successes;

    public OperationLog(string workload, long start)
    {
        _workload = workload;
        _last = start;
    }

    public long Successes => Interlocked.Read(ref _successes);

    public void Succeeded()
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _longestGap = Math.Max(_longestGap, now - _last);
            _last = now;
            _successes++;
        }
    }

    public void Failed(string call, int errno)
    {
        string key = $"{Posix.ErrnoName(errno)} {_workload}:{call}";
        lock (_lock)
            _errors[key] = _errors.GetValueOrDefault(key) + 1;
    }

    /// <summary>Starts the gap clock afresh (after the workload was paused on purpose).</summary>
    public void RestartGapClock()
    {
        lock (_lock)
            _last = Stopwatch.GetTimestamp();
    }

    /// <summary>The longest time without a success up to <paramref name="end"/>, counting a gap still open then.</summary>
    public TimeSpan LongestGap(long end)
    {
        lock (_lock)
            return Stopwatch.GetElapsedTime(0, Math.Max(_longestGap, end - _last));
    }

    public Dictionary<string, int> Errors()
    {
        lock (_lock)
            return new Dictionary<string, int>(_errors);
    }
}

/// <summary>
/// One client's share of one fault: the directory its workloads use (relative to the mount root), the writer's
/// file and tag, the logs of the three workloads and how many blocks the writer has fsync'd so far.
/// </summary>
internal sealed class Window
{
    public Window(string fault, string client)
    {
        Directory = $"{fault}/{client}";
        Tag = Blocks.Tag(DataFile);
        Start = Stopwatch.GetTimestamp();
        Writes = new OperationLog("writer", Start);
        Reads = new OperationLog("reader", Start);
        Metadata = new OperationLog("metadata", Start);
    }

    public string Directory { get; }

    public string DataFile => $"{Directory}/data";

    public string MetadataDirectory => $"{Directory}/meta";

    public ulong Tag { get; }

    public long Start { get; }

    public OperationLog Writes { get; }

    public OperationLog Reads { get; }

    public OperationLog Metadata { get; }

    private long _durableBlocks;
    private long _corruptReads;

    /// <summary>Blocks 0 … DurableBlocks-1 were written and fsync'd without an error.</summary>
    public long DurableBlocks => Interlocked.Read(ref _durableBlocks);

    /// <summary>Reads during the fault that returned a block other than the one fsync'd there.</summary>
    public long CorruptReads => Interlocked.Read(ref _corruptReads);

    public void SetDurable(long blocks) => Interlocked.Exchange(ref _durableBlocks, blocks);

    public void CountCorruptRead() => Interlocked.Increment(ref _corruptReads);

    /// <summary>True when any workload failed with <paramref name="errno"/> ("ENOSPC").</summary>
    public bool Saw(string errno) =>
        new[] { Writes, Reads, Metadata }.Any(log => log.Errors().Keys.Any(k => k.StartsWith(errno + " ", StringComparison.Ordinal)));

    /// <summary>After a deliberate pause: the paused time is no stall.</summary>
    public void RestartGapClocks()
    {
        Writes.RestartGapClock();
        Reads.RestartGapClock();
        Metadata.RestartGapClock();
    }

    /// <summary>Progress so far, to compare with later (<see cref="ProgressedSince"/>).</summary>
    public (long Writes, long Metadata) Mark() => (Writes.Successes, Metadata.Successes);

    /// <summary>True once the writer and the metadata loop each succeeded <paramref name="times"/> times after <paramref name="mark"/>.</summary>
    public bool ProgressedSince((long Writes, long Metadata) mark, int times) =>
        Writes.Successes - mark.Writes >= times && Metadata.Successes - mark.Metadata >= times;
}

/// <summary>
/// The I/O one client runs all through the suite, each on a thread of its own, paced (20 ms between operations)
/// so two clients and a cluster share two cores: a writer of checksummed blocks (pwrite, then fsync; a block
/// counts as durable only once its fsync returned 0), a reader verifying random durable blocks, and a metadata
/// loop (create+write+close, rename, stat, unlink). Each fault gets a fresh <see cref="Window"/>; errors are
/// counted and the operation retried after 200 ms, as an application that wants its data written would.
/// </summary>
internal sealed class Workload : IDisposable
{
    private const int PaceMs = 20;
    private const int RetryMs = 200;

    private readonly string _mountPoint;
    private readonly Thread[] _threads;
    private readonly int[] _busy = new int[3];
    private volatile Window? _window;
    private volatile bool _paused;
    private volatile bool _stopped;

    public Workload(string label, string mountPoint)
    {
        _mountPoint = mountPoint;
        _threads =
        [
            new Thread(() => Loop(0, WriteLoop)) { IsBackground = true, Name = $"{label} writer" },
            new Thread(() => Loop(1, ReadLoop)) { IsBackground = true, Name = $"{label} reader" },
            new Thread(() => Loop(2, MetadataLoop)) { IsBackground = true, Name = $"{label} metadata" },
        ];
        foreach (Thread thread in _threads)
            thread.Start();
    }

    public Window? Current => _window;

    /// <summary>Starts a fault's window: from now on the workloads log into it and use its directory.</summary>
    public void Begin(Window window) => _window = window;

    /// <summary>Stops issuing operations and waits until none is in flight (false if one is still stuck).</summary>
    public bool Pause(TimeSpan timeout)
    {
        _paused = true;
        var clock = Stopwatch.StartNew();
        while (Busy())
        {
            if (clock.Elapsed > timeout)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }

    public void Resume() => _paused = false;

    private bool Busy()
    {
        for (int i = 0; i < _busy.Length; i++)
        {
            if (Volatile.Read(ref _busy[i]) != 0)
                return true;
        }
        return false;
    }

    /// <summary>Ends the loops; a thread blocked in a call on a dead mount is left behind (it is a background
    /// thread and returns once the mount's daemon is gone).</summary>
    public void Dispose()
    {
        _stopped = true;
        foreach (Thread thread in _threads)
            thread.Join(TimeSpan.FromSeconds(2));
    }

    private string OnMount(string relative) => Path.Combine(_mountPoint, relative);

    private void Loop(int slot, Func<Window, Window?, Window?> body)
    {
        Window? previous = null;
        while (!_stopped)
        {
            Window? window = _window;
            if (_paused || window is null)
            {
                Thread.Sleep(PaceMs);
                continue;
            }
            Volatile.Write(ref _busy[slot], 1);
            try
            {
                previous = body(window, previous);
            }
            finally
            {
                Volatile.Write(ref _busy[slot], 0);
            }
            Thread.Sleep(PaceMs);
        }
    }

    private int _writeFd = -1;
    private long _nextBlock;
    private readonly byte[] _writeBlock = new byte[Blocks.Size];

    /// <summary>One block: pwrite, fsync; on an error the same block again (ENOSPC/EDQUOT keep the file open,
    /// anything else reopens it).</summary>
    private Window? WriteLoop(Window window, Window? previous)
    {
        if (!ReferenceEquals(window, previous))
        {
            CloseWriter();
            _nextBlock = 0;
        }
        if (_writeFd < 0)
        {
            if (!EnsureDirectory(window.Directory, window.Writes))
                return window;
            _writeFd = Posix.Open(OnMount(window.DataFile), Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC);
            if (_writeFd < 0)
            {
                Failed(window.Writes, "open", keepFile: false);
                return window;
            }
        }
        Blocks.Format(_writeBlock, window.Tag, _nextBlock);
        if (Posix.PWrite(_writeFd, _writeBlock, _nextBlock * Blocks.Size) != Blocks.Size)
        {
            Failed(window.Writes, "write", keepFile: Posix.Errno is Posix.ENOSPC or Posix.EDQUOT);
            return window;
        }
        if (Posix.Fsync(_writeFd) != 0)
        {
            Failed(window.Writes, "fsync", keepFile: Posix.Errno is Posix.ENOSPC or Posix.EDQUOT);
            return window;
        }
        _nextBlock++;
        window.SetDurable(_nextBlock);
        window.Writes.Succeeded();
        return window;
    }

    private void Failed(OperationLog log, string call, bool keepFile)
    {
        log.Failed(call, Posix.Errno);
        if (!keepFile)
            CloseWriter();
        Thread.Sleep(RetryMs);
    }

    private void CloseWriter()
    {
        if (_writeFd >= 0)
            Posix.Close(_writeFd);
        _writeFd = -1;
    }

    private int _readFd = -1;
    private readonly byte[] _readBlock = new byte[Blocks.Size];

    /// <summary>A random durable block read back and checked.</summary>
    private Window? ReadLoop(Window window, Window? previous)
    {
        if (!ReferenceEquals(window, previous) && _readFd >= 0)
        {
            Posix.Close(_readFd);
            _readFd = -1;
        }
        long durable = window.DurableBlocks;
        if (durable == 0)
            return window;
        if (_readFd < 0)
        {
            _readFd = Posix.Open(OnMount(window.DataFile), Posix.O_RDONLY | Posix.O_CLOEXEC);
            if (_readFd < 0)
            {
                window.Reads.Failed("open", Posix.Errno);
                Thread.Sleep(RetryMs);
                return window;
            }
        }
        long index = Random.Shared.NextInt64(durable);
        int n = Posix.PRead(_readFd, _readBlock, index * Blocks.Size);
        if (n < 0)
        {
            window.Reads.Failed("read", Posix.Errno);
            Posix.Close(_readFd);
            _readFd = -1;
            Thread.Sleep(RetryMs);
        }
        else if (!Blocks.IsIntact(_readBlock.AsSpan(0, n), window.Tag, index))
        {
            window.CountCorruptRead();
        }
        else
        {
            window.Reads.Succeeded();
        }
        return window;
    }

    private long _cycle;
    private static readonly byte[] SmallFile = "sixteen bytes..\n"u8.ToArray();

    /// <summary>create+write+close, rename, stat, unlink of one file; every step that succeeds counts.</summary>
    private Window? MetadataLoop(Window window, Window? previous)
    {
        OperationLog log = window.Metadata;
        if (!EnsureDirectory(window.Directory, log) || !EnsureDirectory(window.MetadataDirectory, log))
            return window;
        long cycle = ++_cycle;
        string created = OnMount($"{window.MetadataDirectory}/f{cycle}");
        string renamed = OnMount($"{window.MetadataDirectory}/g{cycle}");
        int fd = Posix.Open(created, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_CLOEXEC);
        if (fd < 0)
            return Failed(log, "create", window);
        bool written = Posix.PWrite(fd, SmallFile, 0) == SmallFile.Length;
        int writeErrno = Posix.Errno;
        if (Posix.Close(fd) != 0 || !written)
        {
            log.Failed(written ? "close" : "write", written ? Posix.Errno : writeErrno);
            Thread.Sleep(RetryMs);
            return window;
        }
        log.Succeeded();
        if (Posix.Rename(created, renamed) != 0)
            return Failed(log, "rename", window);
        log.Succeeded();
        long size = Posix.StatSize(renamed);
        if (size < 0)
            return Failed(log, "stat", window);
        if (size != SmallFile.Length)
            log.Failed("stat-size", 0);
        else
            log.Succeeded();
        if (Posix.Unlink(renamed) != 0)
            return Failed(log, "unlink", window);
        log.Succeeded();
        return window;
    }

    private static Window Failed(OperationLog log, string call, Window window)
    {
        log.Failed(call, Posix.Errno);
        Thread.Sleep(RetryMs);
        return window;
    }

    /// <summary>mkdir -p of a directory relative to the mount root (the fault's directory comes first; both
    /// clients make it, so EEXIST is fine).</summary>
    private bool EnsureDirectory(string relative, OperationLog log)
    {
        if (Directory.Exists(OnMount(relative)))
            return true;
        int end = -1;
        do
        {
            end = relative.IndexOf('/', end + 1);
            string path = OnMount(end < 0 ? relative : relative[..end]);
            if (Posix.Mkdir(path) != 0 && Posix.Errno != Posix.EEXIST)
            {
                log.Failed("mkdir", Posix.Errno);
                Thread.Sleep(RetryMs);
                return false;
            }
        }
        while (end >= 0);
        return true;
    }
}
