using System.Diagnostics;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using Microsoft.Extensions.Logging;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// One mounted FUSE connection: mounts, runs the reader threads, answers INIT, routes INTERRUPT, and ends when the
/// kernel closes the connection (unmount: ENODEV; abort: ECONNABORTED).
/// <para>
/// Threads: every reader blocks in read() on its own cloned descriptor and handles what it reads inline (the
/// fastest path for short requests). When a reader takes a request and no other reader is left waiting, another
/// reader thread is started, up to <see cref="FuseMountOptions.MaxInFlight"/>: a slow or blocked handler never stops
/// the reading of further requests, and FORGET/INTERRUPT are handled by whichever reader gets them, without locks
/// held across I/O. With MaxInFlight handlers busy, further requests wait in the kernel's queue (the bound).
/// </para>
/// </summary>
internal sealed class FuseSession : IDisposable
{
    private readonly FuseMountOptions _options;
    private readonly IFuseChannel _master;
    private readonly FuseWorker?[] _workers;
    private readonly Lock _startLock = new();
    private readonly ManualResetEventSlim _initialized = new(false);
    private readonly ManualResetEventSlim _ended = new(false);
    private readonly bool _mounted;
    private int _workerCount;
    private int _threads;
    private int _idle;
    private volatile bool _ending;
    private volatile bool _isInitialized;
    private bool _initReplyPending;
    private bool _cloneWarned;
    private int _destroyed;
    private volatile bool _unmounted;
    private volatile bool _stopping;

    private FuseSession(IFuseFileSystem fileSystem, FuseMountOptions options, ILogger logger, IFuseChannel master, bool mounted, bool trace)
    {
        FileSystem = fileSystem;
        _options = options;
        Log = logger;
        _master = master;
        _mounted = mounted;
        Tracing = trace && logger.IsEnabled(LogLevel.Debug);
        _workers = new FuseWorker?[Math.Max(1, options.MaxInFlight) + 1];
        Notifier = new FuseNotifier(master);
        int maxWrite = InitNegotiation.MaxWrite(options);
        RequestBufferSize = Math.Max(FuseProtocol.MinReadBuffer, maxWrite + 4096);
        ReplyPayloadSize = Math.Max(maxWrite, 65536) + 4096;
    }

    /// <summary>Mounts <paramref name="fileSystem"/> at the options' mount point (mount(2) as root, else fusermount3).</summary>
    public static FuseSession Mount(IFuseFileSystem fileSystem, FuseMountOptions options, ILogger logger, bool trace = false)
    {
        FuseDevice master = FuseMount.Mount(options);
        return new FuseSession(fileSystem, options, logger, master, mounted: true, trace);
    }

    /// <summary>A session over an arbitrary channel, not mounted (unit tests and benchmarks of the request path).</summary>
    internal static FuseSession ForChannel(IFuseFileSystem fileSystem, FuseMountOptions options, ILogger logger, IFuseChannel channel, bool trace = false) =>
        new(fileSystem, options, logger, channel, mounted: false, trace);

    public IFuseFileSystem FileSystem { get; }

    public string MountPoint => _options.MountPoint;

    /// <summary>Invalidations towards the kernel; live once INIT is answered.</summary>
    public FuseNotifier Notifier { get; }

    /// <summary>What INIT negotiated (null before).</summary>
    public FuseConnectionInfo? Connection { get; private set; }

    /// <summary>The errno that ended the session (ENODEV after an unmount), or 0 while running.</summary>
    public int EndErrno { get; private set; }

    internal ILogger Log { get; }

    internal bool Tracing { get; }

    /// <summary>The per-request metrics hook (null: no timestamps are taken).</summary>
    internal IFuseRequestObserver? Observer { get; set; }

    internal bool Timed => Tracing || Observer is not null;

    internal SupplementaryGroups Groups { get; } = SupplementaryGroups.Shared;

    internal bool IsInitialized => _isInitialized;

    /// <summary>True once the session stopped accepting requests (<see cref="Stop"/>): readers answer ENOTCONN
    /// and nothing more reaches the file system.</summary>
    internal bool IsStopping => _stopping;

    /// <summary>Reader threads running, and how many of them wait in read().</summary>
    internal (int Threads, int Idle) Readers => (Volatile.Read(ref _threads), Math.Max(0, Volatile.Read(ref _idle)));

    internal bool SetxattrExt { get; private set; }

    internal int RequestBufferSize { get; }

    internal int ReplyPayloadSize { get; }

    /// <summary>Starts the first readers; INIT is answered by whichever gets it.</summary>
    public void Start()
    {
        for (int i = 0; i < Math.Max(1, _options.MinReaders); i++)
            StartReader();
    }

    /// <summary>Waits until INIT has been answered (true), or the session ended or the time ran out (false).</summary>
    public bool WaitForInit(TimeSpan timeout)
    {
        WaitHandle.WaitAny([_initialized.WaitHandle, _ended.WaitHandle], timeout);
        return _initialized.IsSet && Connection is not null;
    }

    /// <summary>Waits until every reader has stopped (the connection is gone).</summary>
    public bool Wait(TimeSpan timeout) => _ended.Wait(timeout);

    /// <summary>Waits until every reader has stopped.</summary>
    public void Wait() => _ended.Wait();

    /// <summary>True once every reader has stopped.</summary>
    public bool HasEnded => _ended.IsSet;

    /// <summary>Signalled once every reader has stopped.</summary>
    public WaitHandle EndedHandle => _ended.WaitHandle;

    /// <summary>Unmounts (0, or an errno such as EBUSY when in use and not lazy).</summary>
    public int Unmount(bool lazy)
    {
        if (!_mounted || _unmounted)
            return 0;
        int result = FuseMount.Unmount(_options.MountPoint, lazy);
        if (result == 0 || result == EINVAL)
            _unmounted = true;
        return result == EINVAL ? 0 : result;
    }

    /// <summary>Creates a worker over <paramref name="channel"/> without a thread (unit tests, benchmarks).</summary>
    internal FuseWorker CreateWorker(IFuseChannel channel)
    {
        var worker = new FuseWorker(this, channel, ownsChannel: false, RequestBufferSize, ReplyPayloadSize);
        Register(worker);
        return worker;
    }

    private void StartReader()
    {
        int index;
        lock (_startLock)
        {
            if (_ending || _threads >= _workers.Length - 1)
                return;
            index = _threads++;
            Interlocked.Increment(ref _idle);
        }
        var thread = new Thread(ReaderMain) { IsBackground = true, Name = $"fuse-reader-{index}" };
        thread.UnsafeStart();
    }

    private void ReaderMain()
    {
        FuseWorker? worker = null;
        try
        {
            (IFuseChannel channel, bool owns) = OpenReaderChannel();
            worker = new FuseWorker(this, channel, owns, RequestBufferSize, ReplyPayloadSize);
            Register(worker);
            worker.Run();
        }
        catch (Exception e)
        {
            Log.ReaderStartFailed(Environment.CurrentManagedThreadId, e.Message);
            Interlocked.Decrement(ref _idle);
            ReaderExited();
        }
        finally
        {
            if (worker is not null)
                Unregister(worker);
            worker?.Dispose();
        }
    }

    private (IFuseChannel Channel, bool Owns) OpenReaderChannel()
    {
        if (_options.CloneFd && _master is FuseDevice device && device.Fd >= 0)
        {
            try
            {
                return (device.Clone(), true);
            }
            catch (IOException e)
            {
                if (!_cloneWarned)
                {
                    _cloneWarned = true;
                    Log.ReaderStartFailed(0, $"cloning /dev/fuse failed ({e.Message}); readers share one descriptor");
                }
            }
        }
        return (_master, false);
    }

    private void Register(FuseWorker worker)
    {
        lock (_startLock)
        {
            for (int i = 0; i < _workers.Length; i++)
            {
                if (_workers[i] is null)
                {
                    _workers[i] = worker;
                    _workerCount = Math.Max(_workerCount, i + 1);
                    return;
                }
            }
        }
    }

    private void Unregister(FuseWorker worker)
    {
        lock (_startLock)
        {
            int i = Array.IndexOf(_workers, worker);
            if (i >= 0)
                _workers[i] = null;
        }
    }

    /// <summary>A reader got a request: if it was the last one waiting, start another.</summary>
    internal void OnRequestRead()
    {
        if (Interlocked.Decrement(ref _idle) <= 0 && !_ending)
            StartReader();
    }

    internal void OnRequestDone() => Interlocked.Increment(ref _idle);

    /// <summary>A reader's read() failed for good: ENODEV/ECONNABORTED end the session, anything else is logged.</summary>
    internal void OnReaderEnded(int errno)
    {
        Interlocked.Decrement(ref _idle);
        if (!_ending)
        {
            _ending = true;
            EndErrno = errno;
            if (errno is ENODEV or ECONNABORTED)
                Log.ConnectionClosed(errno == ENODEV ? "unmounted" : "aborted");
            else
                Log.ReadFailed(errno);
            Notifier.Stop();
            CancelEverything(); // handlers waiting (locks) must give up: nobody will read their reply
        }
        ReaderExited();
    }

    private void ReaderExited()
    {
        bool last;
        lock (_startLock)
            last = --_threads == 0;
        if (last && _ending)
            End();
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) == 0)
            DestroyFileSystem();
        _initialized.Set(); // nobody waits for INIT any more
        _ended.Set();
    }

    private void DestroyFileSystem()
    {
        try
        {
            FileSystem.Destroy();
        }
        catch (Exception e)
        {
            Log.HandlerFailed(e, "DESTROY", 0, 0);
        }
    }

    private void CancelEverything()
    {
        FuseWorker?[] workers;
        lock (_startLock)
            workers = (FuseWorker?[])_workers.Clone();
        foreach (FuseWorker? worker in workers)
            worker?.CancelCurrent();
    }

    /// <summary>INTERRUPTs whose request was not seen yet.</summary>
    internal InterruptTable Interrupts { get; } = new();

    /// <summary>INTERRUPT: trip the token of the request, or remember it if the request was not seen yet.</summary>
    internal void Interrupt(ulong unique)
    {
        int count = Volatile.Read(ref _workerCount);
        for (int i = 0; i < count; i++)
        {
            if (_workers[i]?.TryInterrupt(unique) == true)
                return;
        }
        Interrupts.Remember(unique);
    }

    /// <summary>INIT: negotiate (see <see cref="InitNegotiation"/>); the connection is live once the reply is written.</summary>
    internal int HandleInit(FuseWorker worker, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        if (_isInitialized)
            return EINVAL;
        int errno = InitNegotiation.Negotiate(argument, _options, FileSystem, Notifier, (uint)ReplyPayloadSize,
            ref worker.ReplyAs<FuseInitOut>(), out FuseConnectionInfo? connection, out replyLength, out string? refusal);
        if (refusal is not null)
            Log.InitRefused(refusal);
        if (errno != 0 || connection is null)
            return errno;
        SetxattrExt = (connection.Negotiated & FuseInitFlags.SetxattrExt) != 0;
        Connection = connection;
        _isInitialized = true;
        _initReplyPending = true;
        return 0;
    }

    /// <summary>Called by the worker once the INIT reply is written: the mount is live.</summary>
    internal void OnInitReplied(bool delivered)
    {
        if (!_initReplyPending)
            return;
        _initReplyPending = false;
        if (!delivered || Connection is null)
            return;
        Notifier.Start(Connection.ProtocolMinor, Connection.KernelFlags);
        Log.Negotiated(Connection);
        if (_mounted && _options.ReadAheadKb > 0)
        {
            bool done = FuseMount.SetReadAhead(_options.MountPoint, _options.ReadAheadKb);
            Log.ReadAhead(_options.MountPoint, _options.ReadAheadKb, done);
        }
        _initialized.Set();
    }

    internal void TraceRequest(OpcodeTable.Entry? entry, in FuseInHeader header, ReadOnlySpan<byte> argument)
    {
        string name = entry?.Name ?? $"opcode {(uint)header.Opcode}";
        string arguments;
        try
        {
            arguments = entry?.Describe(argument) ?? "";
        }
        catch (ArgumentOutOfRangeException)
        {
            arguments = "(malformed)";
        }
        Log.TraceRequest(header.Unique, name, header.NodeId, header.Uid, header.Pid, arguments);
    }

    internal void TraceReply(OpcodeTable.Entry? entry, in FuseInHeader header, int errno, int length, long start, long end)
    {
        string name = entry?.Name ?? $"opcode {(uint)header.Opcode}";
        string result = entry?.NoReply == true ? "no reply" : errno == 0 ? "OK" : Name(errno);
        long microseconds = (long)Stopwatch.GetElapsedTime(start, end).TotalMicroseconds;
        Log.TraceReply(header.Unique, name, result, errno == 0 ? length : 0, microseconds);
    }

    /// <summary>
    /// Stops accepting requests and waits, up to <paramref name="timeout"/>, for those inside the file system to
    /// return; handlers that wait (blocking locks) are cancelled. True when none is left. After this no request
    /// reaches the file system again: later ones are answered ENOTCONN, as from a daemon that is gone.
    /// </summary>
    public bool Stop(TimeSpan timeout)
    {
        _stopping = true;
        CancelEverything();
        long start = Stopwatch.GetTimestamp();
        while (AnyWorkerBusy())
        {
            if (Stopwatch.GetElapsedTime(start) >= timeout)
                return false;
            Thread.Sleep(1);
        }
        return true;
    }

    private bool AnyWorkerBusy()
    {
        FuseWorker?[] workers;
        lock (_startLock)
            workers = (FuseWorker?[])_workers.Clone();
        foreach (FuseWorker? worker in workers)
        {
            if (worker?.IsBusy == true)
                return true;
        }
        return false;
    }

    /// <summary>How long <see cref="Dispose"/> waits for requests in flight before giving the file system back.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Ends the session: detaches a mount that is still there (lazily), stops and drains the requests in flight,
    /// then tells the file system it is over (<see cref="IFuseFileSystem.Destroy"/>, once). The file system may be
    /// disposed after this returns: no handler runs any more.
    /// </summary>
    public void Dispose()
    {
        if (_mounted && !_ended.IsSet && !_unmounted)
            Unmount(lazy: true);
        _ending = true;
        if (!Stop(DrainTimeout))
            Log.DrainTimedOut(DrainTimeout.TotalSeconds);
        Notifier.Stop();
        if (Interlocked.Exchange(ref _destroyed, 1) == 0)
            DestroyFileSystem();
        _master.Dispose();
    }
}
