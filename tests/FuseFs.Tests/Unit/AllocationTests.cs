using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Memory;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.Unit;

/// <summary>
/// The hot path allocates nothing: decoding, dispatch through the opcode table, the request context, the typed
/// request, the reply written in place (measured on the dispatching thread after warm-up). BenchmarkDotNet
/// numbers belong in perf/; this guards the property in the normal test run.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AllocationTests
{
    private const int Rounds = 2000;

    public static TheoryData<string> Requests() => ["getattr", "lookup", "lookup-enoent", "read-64k", "write-64k", "readdirplus", "forget", "interrupt"];

    [Theory]
    [MemberData(nameof(Requests))]
    public void ServingARequestAllocatesNothing(string kind)
    {
        var channel = new NullChannel();
        using FuseWorker worker = InitializedWorker(new NonAllocatingFileSystem(), channel, observer: null);
        long allocated = AllocatedServing(worker, Request(kind));
        Assert.True(allocated == 0, $"{kind}: {allocated / (double)Rounds:0.0} bytes per request");
        Assert.True(channel.Replies >= (kind is "forget" or "interrupt" ? 1 : 2 * Rounds));
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void WithTheMetricsObserverAttachedStillNothing(string kind)
    {
        var metrics = new ManagedCephFuse.FuseFs.Diagnostics.FuseMetrics();
        using FuseWorker worker = InitializedWorker(new NonAllocatingFileSystem(), new NullChannel(), metrics);
        byte[] request = Request(kind);
        long allocated = AllocatedServing(worker, request);
        Assert.True(allocated == 0, $"{kind} with metrics: {allocated / (double)Rounds:0.0} bytes per request");
        Assert.True(metrics.Of((FuseOpcode)BitConverter.ToUInt32(request, 4)).Count >= 2 * Rounds);
    }

    private static byte[] Request(string kind) => kind switch
    {
        "getattr" => Support.Requests.Build(FuseOpcode.GetAttr, 4, 42, Support.Requests.Struct(new FuseGetattrIn())),
        "lookup" => Support.Requests.Build(FuseOpcode.Lookup, 4, 1, Support.Requests.Name("present")),
        "lookup-enoent" => Support.Requests.Build(FuseOpcode.Lookup, 4, 1, Support.Requests.Name("absent")),
        "read-64k" => Support.Requests.Build(FuseOpcode.Read, 4, 42, Support.Requests.Struct(new FuseReadIn { Fh = 1, Size = 65536 })),
        "write-64k" => Support.Requests.Build(FuseOpcode.Write, 4, 42, Support.Requests.Struct(new FuseWriteIn { Fh = 1, Size = 65536 }), new byte[65536]),
        "readdirplus" => Support.Requests.Build(FuseOpcode.ReadDirPlus, 4, 1, Support.Requests.Struct(new FuseReadIn { Fh = 1, Size = 4096 })),
        "forget" => Support.Requests.Build(FuseOpcode.Forget, 4, 42, Support.Requests.Struct(new FuseForgetIn { Nlookup = 1 })),
        _ => Support.Requests.Build(FuseOpcode.Interrupt, 5, 0, Support.Requests.Struct(new FuseInterruptIn { Unique = 4 })),
    };

    /// <summary>A worker of a fresh session over <paramref name="channel"/>, past INIT.</summary>
    private static FuseWorker InitializedWorker(IFuseFileSystem fs, NullChannel channel, IFuseRequestObserver? observer)
    {
        var session = FuseSession.ForChannel(fs, new FuseMountOptions { MountPoint = "/unused" }, new TestLogger(), channel);
        session.Observer = observer;
        FuseWorker worker = session.CreateWorker(channel);
        Load(worker, Support.Requests.Build(FuseOpcode.Init, 2, 0, Support.Requests.Struct(new FuseInitIn { Major = 7, Minor = 45, Flags = uint.MaxValue })));
        return worker;
    }

    [Fact]
    public void MemoryFileSystemGetattrAndReadAllocateNothingEither()
    {
        using FuseWorker worker = InitializedWorker(new MemoryFileSystem(), new NullChannel(), observer: null);
        Load(worker, Support.Requests.Build(FuseOpcode.Create, 4, 1, Support.Requests.Struct(new FuseCreateIn { Flags = 0x42, Mode = 0x81A4 }), Support.Requests.Name("f")));
        Load(worker, Support.Requests.Build(FuseOpcode.Write, 6, 2, Support.Requests.Struct(new FuseWriteIn { Fh = 1, Size = 131072 }), new byte[131072]));
        byte[][] requests =
        [
            Support.Requests.Build(FuseOpcode.GetAttr, 8, 2, Support.Requests.Struct(new FuseGetattrIn())),
            Support.Requests.Build(FuseOpcode.Lookup, 10, 1, Support.Requests.Name("f")),
            Support.Requests.Build(FuseOpcode.Forget, 12, 2, Support.Requests.Struct(new FuseForgetIn { Nlookup = 1 })),
            Support.Requests.Build(FuseOpcode.Read, 14, 2, Support.Requests.Struct(new FuseReadIn { Fh = 1, Size = 131072 })),
            Support.Requests.Build(FuseOpcode.Write, 16, 2, Support.Requests.Struct(new FuseWriteIn { Fh = 1, Offset = 4096, Size = 65536 }), new byte[65536]),
        ];
        foreach (byte[] request in requests)
        {
            long allocated = AllocatedServing(worker, request);
            Assert.True(allocated == 0, $"opcode {BitConverter.ToUInt32(request, 4)}: {allocated / (double)Rounds:0.0} bytes per request");
        }
    }

    /// <summary>
    /// Bytes this thread allocated serving <paramref name="request"/> <see cref="Rounds"/> times after a warm-up
    /// (JIT, tiering): the least of three windows. An allocation per request shows in every window; a one-off
    /// allocation on the thread (seen once in nine full runs: 6.4 KB in one LOOKUP window) does not fail the test.
    /// </summary>
    private static long AllocatedServing(FuseWorker worker, byte[] request)
    {
        for (int i = 0; i < Rounds; i++)
            Load(worker, request);
        long least = long.MaxValue;
        for (int window = 0; window < 3 && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Rounds; i++)
                Load(worker, request);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    private static void Load(FuseWorker worker, byte[] request)
    {
        request.CopyTo(worker.RequestBuffer);
        worker.Dispatch(request.Length);
    }

    private sealed class NullChannel : IFuseChannel
    {
        public int Replies { get; private set; }

        public int Read(Span<byte> buffer) => -ENODEV;

        public int Write(ReadOnlySpan<byte> message)
        {
            Replies++;
            return 0;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Answers from preallocated state, so that whatever is allocated is the session's.</summary>
    private sealed class NonAllocatingFileSystem : IFuseFileSystem
    {
        private static readonly byte[][] Names = ["a"u8.ToArray(), "bb"u8.ToArray(), "ccc"u8.ToArray()];

        public int Lookup(FuseRequestContext context, LookupRequest request, ref FuseEntryOut entry)
        {
            if (!request.Name.SequenceEqual("present"u8))
                return ENOENT;
            entry.NodeId = 42;
            entry.Attr.Ino = 42;
            entry.Attr.Mode = 0x81A4;
            entry.SetAttrTimeout(TimeSpan.FromSeconds(1));
            return 0;
        }

        public int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr)
        {
            attr.Attr.Ino = request.NodeId;
            attr.Attr.Mode = 0x81A4;
            return 0;
        }

        public int Read(FuseRequestContext context, ReadRequest request, Span<byte> destination, out int bytesRead)
        {
            destination.Fill(1);
            bytesRead = destination.Length;
            return 0;
        }

        public int Write(FuseRequestContext context, WriteRequest request, out int bytesWritten)
        {
            bytesWritten = request.Data.Length;
            return 0;
        }

        public int ReadDirPlus(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer)
        {
            FuseEntryOut entry = default;
            for (int i = 0; i < Names.Length; i++)
            {
                entry.NodeId = 100 + (ulong)i;
                entry.Attr.Ino = entry.NodeId;
                entry.Attr.Mode = 0x81A4;
                if (!writer.TryAddPlus(Names[i], i + 1, in entry))
                    break;
            }
            return 0;
        }
    }
}
