using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// One reader: a thread with its own /dev/fuse descriptor, request buffer and reply buffer, that reads a request,
/// decodes it in place, calls the file system and writes the reply — all on this thread, with no allocation. While
/// it is busy in a handler another reader is waiting in read() (the session starts one when none is left idle).
/// </summary>
internal sealed unsafe partial class FuseWorker : IDisposable
{
    internal const int HeaderSize = 40, OutHeaderSize = 16;

    private readonly FuseSession _session;
    private readonly IFuseChannel _channel;
    private readonly bool _ownsChannel;
    private readonly byte* _request;
    private readonly int _requestSize;
    private readonly byte* _reply;
    private readonly int _replySize;
    private readonly Lock _gate = new();
    private CancellationTokenSource _cancellation = new();
    private ulong _inFlight; // unique of the request being handled, 0 when idle; guarded by _gate

    public FuseWorker(FuseSession session, IFuseChannel channel, bool ownsChannel, int requestSize, int replyPayloadSize)
    {
        _session = session;
        _channel = channel;
        _ownsChannel = ownsChannel;
        _requestSize = requestSize;
        _replySize = OutHeaderSize + replyPayloadSize;
        _request = (byte*)NativeMemory.AlignedAlloc((nuint)_requestSize, 4096);
        _reply = (byte*)NativeMemory.AlignedAlloc((nuint)_replySize, 4096);
        Context = new FuseRequestContext(session.Groups);
    }

    internal IFuseFileSystem FileSystem => _session.FileSystem;

    internal FuseSession Session => _session;

    internal FuseRequestContext Context { get; }

    /// <summary>The whole request buffer (tests and benchmarks put requests here).</summary>
    internal Span<byte> RequestBuffer => new(_request, _requestSize);

    /// <summary>The reply payload area (after the 16-byte out header).</summary>
    internal Span<byte> ReplyPayload => new(_reply + OutHeaderSize, _replySize - OutHeaderSize);

    /// <summary>The reply payload viewed as <typeparamref name="T"/>, zeroed.</summary>
    internal ref T ReplyAs<T>() where T : unmanaged
    {
        Unsafe.InitBlockUnaligned(_reply + OutHeaderSize, 0, (uint)sizeof(T));
        return ref Unsafe.AsRef<T>(_reply + OutHeaderSize);
    }

    /// <summary>The reader loop; returns when the connection is gone (unmount, abort) or the session stops.</summary>
    public void Run()
    {
        Span<byte> buffer = RequestBuffer;
        while (true)
        {
            int n = _channel.Read(buffer);
            if (n < 0)
            {
                int errno = -n;
                if (errno is EINTR or EAGAIN or ENOENT)
                    continue; // a signal, or the request vanished before we got it (interrupted)
                _session.OnReaderEnded(errno);
                return;
            }
            long read = _session.Timed ? Stopwatch.GetTimestamp() : 0;
            _session.OnRequestRead();
            try
            {
                Dispatch(n, read);
            }
            finally
            {
                _session.OnRequestDone();
            }
        }
    }

    /// <summary>
    /// Decodes and serves the request of <paramref name="length"/> bytes in the request buffer. Never throws: a
    /// malformed request gets an errno reply (or is dropped and logged when the kernel expects no reply).
    /// </summary>
    internal void Dispatch(int length, long readTimestamp = 0)
    {
        if (length < HeaderSize)
        {
            _session.Log.DroppedShortRequest(length);
            return;
        }
        ref readonly FuseInHeader header = ref Unsafe.AsRef<FuseInHeader>(_request);
        ulong unique = header.Unique;
        _session.Observer?.OnRequestStarted(header.Opcode);
        OpcodeTable.Entry? entry = OpcodeTable.Find(header.Opcode);
        if (header.Len != (uint)length)
        {
            Finish(entry, in header, EINVAL, 0, readTimestamp, 0, 0, "length mismatch");
            return;
        }
        if (entry is null)
        {
            Finish(null, in header, ENOSYS, 0, readTimestamp, 0, 0, null);
            return;
        }
        int argumentEnd = length - (header.TotalExtlen * 8);
        if (argumentEnd < HeaderSize + entry.InputSize)
        {
            Finish(entry, in header, EINVAL, 0, readTimestamp, 0, 0, "truncated");
            return;
        }
        if (!_session.IsInitialized && header.Opcode != FuseOpcode.Init)
        {
            Finish(entry, in header, EIO, 0, readTimestamp, 0, 0, "before INIT");
            return;
        }
        ReadOnlySpan<byte> argument = new(_request + HeaderSize, argumentEnd - HeaderSize);
        if (_session.Tracing)
            _session.TraceRequest(entry, in header, argument);

        // The session's gate: once it stops, nothing reaches the file system any more (its handles may be gone).
        if (!BeginRequest(unique, entry.Control, out CancellationToken token))
        {
            Finish(entry, in header, ENOTCONN, 0, readTimestamp, 0, 0, null);
            return;
        }
        try
        {
            // FORGET, BATCH_FORGET and INTERRUPT (Control) run without cancellation and never block.
            Context.Reset(in header, token);
            long start = _session.Timed ? Stopwatch.GetTimestamp() : 0;
            int errno = Invoke(entry, in header, argument, out int replyLength);
            long end = _session.Timed ? Stopwatch.GetTimestamp() : 0;
            Finish(entry, in header, errno, replyLength, readTimestamp, start, end, null, argument);
        }
        finally
        {
            EndRequest();
        }
    }

    private int Invoke(OpcodeTable.Entry entry, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        try
        {
            int result = entry.Handler(this, in header, argument, out replyLength);
            if (result < 0)
                result = -result; // −errno accepted, as libcephfs returns them
            if (result > 4095)
                result = EIO;
            if (result == 0 && (uint)replyLength > (uint)(_replySize - OutHeaderSize))
            {
                _session.Log.ReplyTooLong(entry.Name, replyLength);
                return EIO;
            }
            return result;
        }
        catch (Exception e)
        {
            _session.Log.HandlerFailed(e, entry.Name, header.Unique, header.NodeId);
            replyLength = 0;
            return EIO;
        }
    }

    /// <summary>Writes the reply (if the operation has one), then traces and reports the request.</summary>
    private void Finish(OpcodeTable.Entry? entry, in FuseInHeader header, int errno, int replyLength,
        long read, long start, long end, string? problem, ReadOnlySpan<byte> argument = default)
    {
        if (problem is not null)
            _session.Log.MalformedRequest(header.Unique, (uint)header.Opcode, problem);
        bool replies = entry is null || !entry.NoReply;
        if (replies && header.Unique != 0)
        {
            int written = errno == 0 ? replyLength : 0;
            ref FuseOutHeader outHeader = ref Unsafe.AsRef<FuseOutHeader>(_reply);
            outHeader.Len = (uint)(OutHeaderSize + written);
            outHeader.Error = -errno;
            outHeader.Unique = header.Unique;
            int failed = -_channel.Write(new ReadOnlySpan<byte>(_reply, OutHeaderSize + written));
            if (failed != 0)
                OnReplyFailed(entry, in header, errno, written, failed);
            entry?.Replied?.Invoke(this, in header, errno == 0 && failed == 0);
        }
        if (_session.Timed)
        {
            long replied = Stopwatch.GetTimestamp();
            if (start == 0)
                start = end = replied;
            _session.Observer?.OnRequest(header.Opcode, read, start, end, replied, errno, errno == 0 ? DataBytes(header.Opcode, replyLength) : 0);
            if (_session.Tracing)
                _session.TraceReply(entry, in header, errno, replyLength, read == 0 ? start : read, replied);
        }
    }

    /// <summary>What a successful READ or WRITE moved (for the byte counters).</summary>
    private long DataBytes(FuseOpcode opcode, int replyLength) => opcode switch
    {
        FuseOpcode.Read => replyLength,
        FuseOpcode.Write => Unsafe.AsRef<FuseWriteOut>(_reply + OutHeaderSize).Size,
        _ => 0,
    };

    /// <summary>
    /// The kernel refused the reply. ENOENT: the request was interrupted and its caller is gone — whatever the
    /// reply would have handed over (lookup references, open handles) never reached the kernel, so take it back.
    /// </summary>
    private void OnReplyFailed(OpcodeTable.Entry? entry, in FuseInHeader header, int errno, int written, int failed)
    {
        if (failed == ENOENT)
        {
            if (errno == 0 && entry?.Undo is { } undo)
                undo(this, in header, new ReadOnlySpan<byte>(_reply + OutHeaderSize, written));
            return;
        }
        _session.Log.ReplyRejected(header.Unique, entry?.Name ?? ((uint)header.Opcode).ToString(System.Globalization.CultureInfo.InvariantCulture), failed);
    }

    /// <summary>
    /// Marks <paramref name="unique"/> in flight on this worker, unless the session has stopped accepting requests.
    /// The flag is read under the same lock <see cref="IsBusy"/> takes, so a drain that saw this worker idle can
    /// never be followed by a handler call.
    /// </summary>
    private bool BeginRequest(ulong unique, bool control, out CancellationToken token)
    {
        lock (_gate)
        {
            token = CancellationToken.None;
            if (_session.IsStopping)
                return false;
            _inFlight = unique;
            if (control)
                return true;
            if (_session.Interrupts.TakePending(unique))
                _cancellation.Cancel();
            token = _cancellation.Token;
            return true;
        }
    }

    /// <summary>True while a request is inside the file system on this worker.</summary>
    internal bool IsBusy
    {
        get
        {
            lock (_gate)
                return _inFlight != 0;
        }
    }

    private void EndRequest()
    {
        lock (_gate)
        {
            _inFlight = 0;
            if (_cancellation.IsCancellationRequested)
            {
                _cancellation.Dispose();
                _cancellation = new CancellationTokenSource();
            }
        }
    }

    /// <summary>INTERRUPT: cancels the request if this worker is handling it.</summary>
    internal bool TryInterrupt(ulong unique)
    {
        lock (_gate)
        {
            if (_inFlight != unique || unique == 0)
                return false;
            _cancellation.Cancel();
            return true;
        }
    }

    /// <summary>Trips the token of whatever this worker is handling (the session is ending).</summary>
    internal void CancelCurrent()
    {
        lock (_gate)
        {
            if (_inFlight != 0)
                _cancellation.Cancel();
        }
    }

    public void Dispose()
    {
        if (_ownsChannel)
            _channel.Dispose();
        NativeMemory.AlignedFree(_request);
        NativeMemory.AlignedFree(_reply);
        _cancellation.Dispose();
    }
}
