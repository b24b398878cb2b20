namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// Where a reader gets requests and puts replies: a /dev/fuse descriptor (<see cref="FuseDevice"/>), or in unit
/// tests a scripted channel. Both calls report failure as −errno, as the system calls underneath do, and never throw.
/// </summary>
internal interface IFuseChannel : IDisposable
{
    /// <summary>Reads one request; the byte count or −errno.</summary>
    int Read(Span<byte> buffer);

    /// <summary>Writes one reply; 0 or −errno (ENOENT: the requester is gone).</summary>
    int Write(ReadOnlySpan<byte> message);
}

/// <summary>
/// A seam for per-opcode metrics (queue wait, handler time, reply write). Stopwatch timestamps; called on the
/// reader thread, so it must be cheap, thread-safe and allocation-free. Null (the default) costs nothing: no
/// timestamps are taken.
/// </summary>
internal interface IFuseRequestObserver
{
    /// <summary>A request with <paramref name="opcode"/> was read and is being served (in flight until
    /// <see cref="OnRequest"/> reports it).</summary>
    void OnRequestStarted(Abi.FuseOpcode opcode);

    /// <param name="opcode">The request's opcode.</param>
    /// <param name="read">When read() returned the request.</param>
    /// <param name="handlerStart">When the file system's handler was called.</param>
    /// <param name="handlerEnd">When it returned.</param>
    /// <param name="replied">When the reply write returned (= <paramref name="handlerEnd"/> for no-reply operations).</param>
    /// <param name="errno">The errno replied (0 = success).</param>
    /// <param name="bytes">Data moved: bytes read for READ, bytes written for WRITE, else 0.</param>
    void OnRequest(Abi.FuseOpcode opcode, long read, long handlerStart, long handlerEnd, long replied, int errno, long bytes);
}
