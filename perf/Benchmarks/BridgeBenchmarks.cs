using BenchmarkDotNet.Attributes;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.CephFs;
using ManagedCephFuse.FuseFs.Diagnostics;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManagedCephFuse.Benchmarks;

/// <summary>
/// The CephFS bridge end to end — FUSE request in, <c>ceph_ll_*</c> call, reply out — over a fake libcephfs
/// (perf/Benchmarks/FakeCeph: every call returns at once, nothing is copied): decode, dispatch, the in-flight
/// guard, the handle and node tables, the cached UserPerm, the P/Invoke, statx → FUSE attributes, the reply,
/// and the metrics observer, as the daemon runs them. The real libcephfs and the cluster add their own time on
/// top (make bench measures that).
/// </summary>
[MemoryDiagnoser]
public class BridgeBenchmarks : IDisposable
{
    private CephFileSystem _fs = null!;
    private FuseWorker _read4K = null!, _read128K = null!, _write4K = null!, _write128K = null!, _getattr = null!, _lookup = null!, _forget = null!, _readdirplus = null!;
    private int _read4KLength, _read128KLength, _write4KLength, _write128KLength, _getattrLength, _lookupLength, _forgetLength, _readdirplusLength;

    [GlobalSetup]
    public void Setup()
    {
        CephMount mount = CephMount.Create("bench");
        mount.Mount("/"); // the fake's ceph_mount: nothing to connect to
        _fs = new CephFileSystem(mount, new CephFsOptions { CacheSize = 0 }, NullLogger.Instance);
        var (session, worker) = Requests.Session(_fs, new FuseMetrics());

        // an open file (handle 1 of generation 1) and an open directory, as the kernel would have them
        Requests.Expect(worker, Requests.Build(FuseOpcode.Lookup, 4, 1, Requests.Name("file")));
        ulong node = 0x10000000001;
        Requests.Expect(worker, Requests.Build(FuseOpcode.Open, 6, node, Requests.Struct(new FuseOpenIn { Flags = 2 })));
        ulong fh = (1UL << 32) | 1;
        Requests.Expect(worker, Requests.Build(FuseOpcode.OpenDir, 8, 1, Requests.Struct(new FuseOpenIn())));
        ulong dir = (1UL << 32) | 1; // the directory table's first handle

        FuseWorker Prepared(byte[] request, out int length)
        {
            FuseWorker w = session.CreateWorker(Requests.Channel);
            request.CopyTo(w.RequestBuffer);
            length = request.Length;
            Requests.Expect(w, request); // it works (and warms up)
            return w;
        }
        _read4K = Prepared(Requests.Build(FuseOpcode.Read, 10, node, Requests.Struct(new FuseReadIn { Fh = fh, Size = 4096 })), out _read4KLength);
        _read128K = Prepared(Requests.Build(FuseOpcode.Read, 12, node, Requests.Struct(new FuseReadIn { Fh = fh, Size = 131072 })), out _read128KLength);
        _write4K = Prepared(Requests.Build(FuseOpcode.Write, 14, node, Requests.Struct(new FuseWriteIn { Fh = fh, Size = 4096 }), new byte[4096]), out _write4KLength);
        _write128K = Prepared(Requests.Build(FuseOpcode.Write, 16, node, Requests.Struct(new FuseWriteIn { Fh = fh, Size = 131072 }), new byte[131072]), out _write128KLength);
        _getattr = Prepared(Requests.Build(FuseOpcode.GetAttr, 18, node, Requests.Struct(new FuseGetattrIn())), out _getattrLength);
        _lookup = Prepared(Requests.Build(FuseOpcode.Lookup, 20, 1, Requests.Name("file")), out _lookupLength);
        _readdirplus = Prepared(Requests.Build(FuseOpcode.ReadDirPlus, 22, 1, Requests.Struct(new FuseReadIn { Fh = dir, Size = 4096 })), out _readdirplusLength);
        // FORGET nothing (count 0 would be refused): FORGET 1 of the node each LOOKUP above adds
        _forget = session.CreateWorker(Requests.Channel);
        byte[] forget = Requests.Build(FuseOpcode.Forget, 24, node, Requests.Struct(new FuseForgetIn { Nlookup = 1 }));
        forget.CopyTo(_forget.RequestBuffer);
        _forgetLength = forget.Length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _fs?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public void Bridge_Read4K() => _read4K.Dispatch(_read4KLength, 1);

    [Benchmark]
    public void Bridge_Read128K() => _read128K.Dispatch(_read128KLength, 1);

    [Benchmark]
    public void Bridge_Write4K() => _write4K.Dispatch(_write4KLength, 1);

    [Benchmark]
    public void Bridge_Write128K() => _write128K.Dispatch(_write128KLength, 1);

    [Benchmark]
    public void Bridge_GetAttr() => _getattr.Dispatch(_getattrLength, 1);

    [Benchmark]
    public void Bridge_LookupForget()
    {
        _lookup.Dispatch(_lookupLength, 1);
        _forget.Dispatch(_forgetLength, 1);
    }

    /// <summary>One 4 KiB READDIRPLUS page from the start of the directory (23 entries with attributes and references).</summary>
    [Benchmark]
    public void Bridge_ReadDirPlusPage() => _readdirplus.Dispatch(_readdirplusLength, 1);
}
