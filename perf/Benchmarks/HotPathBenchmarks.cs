using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ManagedCephFuse.FuseFs.Diagnostics;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.Benchmarks;

/// <summary>
/// The FUSE request path without a file system behind it (a no-op one answers from preallocated state):
/// <b>Decode</b> is the opcode's handler alone (the fixed struct and names parsed in place, the typed request,
/// the file system called, the reply payload written in place); <b>Dispatch</b> is what the reader thread does
/// after read() returns — length and opcode checks, the opcode table, the request context, cancellation
/// registration, the handler, the reply header and write() (to a channel that drops it) — with and without
/// the metrics observer the daemon runs with.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private FuseWorker _getattr = null!, _lookup = null!, _read = null!, _write = null!, _forget = null!, _statfs = null!;
    private int _getattrLength, _lookupLength, _readLength, _writeLength, _forgetLength, _statfsLength;

    [Params(false, true)]
    public bool Metrics { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (session, _) = Requests.Session(new NoopFileSystem(), Metrics ? new FuseMetrics() : null);
        FuseWorker Prepared(byte[] request, out int length)
        {
            FuseWorker worker = session.CreateWorker(Requests.Channel);
            request.CopyTo(worker.RequestBuffer);
            length = request.Length;
            return worker;
        }
        _getattr = Prepared(Requests.Build(FuseOpcode.GetAttr, 4, 42, Requests.Struct(new FuseGetattrIn())), out _getattrLength);
        _lookup = Prepared(Requests.Build(FuseOpcode.Lookup, 6, 1, Requests.Name("some-file-name")), out _lookupLength);
        _read = Prepared(Requests.Build(FuseOpcode.Read, 8, 42, Requests.Struct(new FuseReadIn { Fh = 1, Size = 4096 })), out _readLength);
        _write = Prepared(Requests.Build(FuseOpcode.Write, 10, 42, Requests.Struct(new FuseWriteIn { Fh = 1, Size = 4096 }), new byte[4096]), out _writeLength);
        _forget = Prepared(Requests.Build(FuseOpcode.Forget, 12, 42, Requests.Struct(new FuseForgetIn { Nlookup = 1 })), out _forgetLength);
        _statfs = Prepared(Requests.Build(FuseOpcode.StatFs, 14, 1), out _statfsLength);
    }

    private static int Handle(FuseWorker worker, int length, OpcodeTable.Handler handler)
    {
        ReadOnlySpan<byte> request = worker.RequestBuffer[..length];
        ref readonly FuseInHeader header = ref MemoryMarshal.AsRef<FuseInHeader>(request);
        return handler(worker, in header, request[40..], out int replyLength) + replyLength;
    }

    [Benchmark]
    public int Decode_GetAttr() => Handle(_getattr, _getattrLength, FuseOperations.GetAttr);

    [Benchmark]
    public int Decode_Lookup() => Handle(_lookup, _lookupLength, FuseOperations.Lookup);

    [Benchmark]
    public int Decode_Write4K() => Handle(_write, _writeLength, FuseOperations.Write);

    [Benchmark]
    public void Dispatch_GetAttr() => _getattr.Dispatch(_getattrLength, 1);

    [Benchmark]
    public void Dispatch_Lookup() => _lookup.Dispatch(_lookupLength, 1);

    [Benchmark]
    public void Dispatch_Read4K() => _read.Dispatch(_readLength, 1);

    [Benchmark]
    public void Dispatch_Write4K() => _write.Dispatch(_writeLength, 1);

    [Benchmark]
    public void Dispatch_Forget() => _forget.Dispatch(_forgetLength, 1);

    [Benchmark]
    public void Dispatch_StatFs() => _statfs.Dispatch(_statfsLength, 1);

    /// <summary>Answers from preallocated state, so that whatever is measured is the session's.</summary>
    internal sealed class NoopFileSystem : IFuseFileSystem
    {
        public int Lookup(FuseRequestContext context, LookupRequest request, ref FuseEntryOut entry)
        {
            entry.NodeId = 42;
            entry.Attr.Ino = 42;
            entry.Attr.Mode = 0x81A4;
            entry.SetEntryTimeout(TimeSpan.FromSeconds(1));
            entry.SetAttrTimeout(TimeSpan.FromSeconds(1));
            return 0;
        }

        public int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr)
        {
            attr.Attr.Ino = request.NodeId;
            attr.Attr.Mode = 0x81A4;
            attr.SetAttrTimeout(TimeSpan.FromSeconds(1));
            return 0;
        }

        public int Read(FuseRequestContext context, ReadRequest request, Span<byte> destination, out int bytesRead)
        {
            bytesRead = destination.Length;
            return 0;
        }

        public int Write(FuseRequestContext context, WriteRequest request, out int bytesWritten)
        {
            bytesWritten = request.Data.Length;
            return 0;
        }

        public void Forget(ReadOnlySpan<FuseForgetOne> nodes)
        {
        }

        public int StatFs(FuseRequestContext context, StatFsRequest request, ref FuseKstatfs statfs)
        {
            statfs.Blocks = 1 << 20;
            statfs.Bsize = 4096;
            return 0;
        }
    }
}
