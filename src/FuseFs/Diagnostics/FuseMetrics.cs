using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// The FUSE request path's numbers, per opcode: requests, errors, in flight, and where the time went — queue
/// (read() returned → handler called: decode and dispatch; time spent in the kernel's queue is invisible to the
/// daemon), backend (the file system's handler: libcephfs for CephFS), reply (the reply's write()), and the total.
/// Plus bytes read and written. The session calls it on every request (<see cref="IFuseRequestObserver"/>):
/// a few interlocked adds on preallocated counters, no lock, no allocation. The admin socket, the Prometheus
/// endpoint and the <c>System.Diagnostics.Metrics</c> meter all read these same counters.
/// </summary>
internal sealed class FuseMetrics : IFuseRequestObserver
{
    /// <summary>One slot per opcode up to the highest the kernel sends us, and one for anything else.</summary>
    private const int OpcodeSlots = (int)FuseOpcode.CopyFileRange64 + 2;

    private readonly OpStats[] _ops = new OpStats[OpcodeSlots];
    private long _bytesRead;
    private long _bytesWritten;

    public FuseMetrics()
    {
        for (int i = 0; i < _ops.Length; i++)
            _ops[i] = new OpStats(i == OpcodeSlots - 1 ? "OTHER" : OpcodeTable.Find((FuseOpcode)i)?.Name ?? $"OPCODE_{i}");
        ResetTime = DateTimeOffset.UtcNow;
    }

    /// <summary>Per-opcode numbers, indexed by opcode (the last slot counts unknown opcodes).</summary>
    public IReadOnlyList<OpStats> Ops => _ops;

    public long BytesRead => Volatile.Read(ref _bytesRead);

    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    /// <summary>Requests being served now, all opcodes.</summary>
    public long InFlight
    {
        get
        {
            long total = 0;
            foreach (OpStats op in _ops)
                total += op.InFlight;
            return total;
        }
    }

    /// <summary>Requests served since the start (or the last reset), all opcodes.</summary>
    public long Requests
    {
        get
        {
            long total = 0;
            foreach (OpStats op in _ops)
                total += op.Count;
            return total;
        }
    }

    /// <summary>When the counters started (or were last reset).</summary>
    public DateTimeOffset ResetTime { get; private set; }

    /// <summary>Reader threads and how many wait in read(); set by the host once the session exists.</summary>
    public Func<(int Threads, int Idle)>? Readers { get; set; }

    /// <summary>The numbers of <paramref name="opcode"/>.</summary>
    public OpStats Of(FuseOpcode opcode) => _ops[Slot(opcode)];

    public void OnRequestStarted(FuseOpcode opcode) => Interlocked.Increment(ref _ops[Slot(opcode)].InFlightCount);

    public void OnRequest(FuseOpcode opcode, long read, long handlerStart, long handlerEnd, long replied, int errno, long bytes)
    {
        OpStats op = _ops[Slot(opcode)];
        Interlocked.Decrement(ref op.InFlightCount);
        if (errno != 0)
            Interlocked.Increment(ref op.ErrorCount);
        if (read == 0)
            read = handlerStart;
        op.Queue.RecordTicks(read, handlerStart);
        op.Backend.RecordTicks(handlerStart, handlerEnd);
        op.Reply.RecordTicks(handlerEnd, replied);
        op.Total.RecordTicks(read, replied);
        if (bytes != 0)
        {
            if (opcode == FuseOpcode.Read)
                Interlocked.Add(ref _bytesRead, bytes);
            else
                Interlocked.Add(ref _bytesWritten, bytes);
        }
    }

    /// <summary>Zeroes every counter except the in-flight gauges (perf reset).</summary>
    public void Reset()
    {
        foreach (OpStats op in _ops)
            op.Reset();
        Volatile.Write(ref _bytesRead, 0);
        Volatile.Write(ref _bytesWritten, 0);
        ResetTime = DateTimeOffset.UtcNow;
    }

    private static int Slot(FuseOpcode opcode) => (uint)opcode < OpcodeSlots - 1 ? (int)opcode : OpcodeSlots - 1;

    /// <summary>One opcode's numbers.</summary>
    internal sealed class OpStats(string name)
    {
        internal long InFlightCount;
        internal long ErrorCount;

        /// <summary>The kernel's name of the opcode (LOOKUP, READ, …).</summary>
        public string Name { get; } = name;

        /// <summary>Requests answered (the total histogram's count).</summary>
        public long Count => Total.Count;

        public long Errors => Volatile.Read(ref ErrorCount);

        public long InFlight => Volatile.Read(ref InFlightCount);

        /// <summary>read() returned → handler called.</summary>
        public LatencyHistogram Queue { get; } = new();

        /// <summary>The file system's handler (libcephfs for CephFS).</summary>
        public LatencyHistogram Backend { get; } = new();

        /// <summary>The reply's write().</summary>
        public LatencyHistogram Reply { get; } = new();

        /// <summary>read() returned → reply written.</summary>
        public LatencyHistogram Total { get; } = new();

        internal void Reset()
        {
            Volatile.Write(ref ErrorCount, 0);
            Queue.Reset();
            Backend.Reset();
            Reply.Reset();
            Total.Reset();
        }
    }
}
