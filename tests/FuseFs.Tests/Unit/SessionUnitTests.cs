using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Memory;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.Unit;

/// <summary>Session rules that need no kernel: refused replies, early interrupts, the metrics hook.</summary>
[Trait("Category", "Unit")]
public sealed class SessionUnitTests
{
    private static byte[] Create(ulong unique, string name) =>
        Requests.Build(FuseOpcode.Create, unique, 1, Requests.Struct(new FuseCreateIn { Flags = 0x42, Mode = 0x81A4 }), Requests.Name(name));

    [Fact]
    public void ARefusedReplyGivesBackItsLookupReferencesAndHandles()
    {
        var fs = new MemoryFileSystem();
        using var session = new UnitSession(fs);
        session.Send(Create(10, "a"));
        session.Send(Requests.Build(FuseOpcode.MkDir, 12, 1, Requests.Struct(new FuseMkdirIn { Mode = 0x1ED }), Requests.Name("d")));
        Assert.Equal(2UL, fs.LookupReferences);
        Assert.Equal(1, fs.HandleCount);

        // The requester is gone (interrupted): the kernel answers our write with ENOENT.
        session.Channel.WriteResult = ENOENT;
        session.Send(Requests.Build(FuseOpcode.Lookup, 14, 1, Requests.Name("a")));
        session.Send(Create(16, "b"));
        session.Send(Requests.Build(FuseOpcode.OpenDir, 18, 1, Requests.Struct(new FuseOpenIn())));
        session.Send(Requests.Build(FuseOpcode.ReadDirPlus, 20, 1, Requests.Struct(new FuseReadIn { Fh = 99, Size = 4096 })));
        Assert.Equal(2UL, fs.LookupReferences); // nothing the kernel never saw is counted
        Assert.Equal(1, fs.HandleCount);

        session.Channel.WriteResult = 0;
        session.Send(Requests.Build(FuseOpcode.OpenDir, 22, 1, Requests.Struct(new FuseOpenIn())));
        ulong dirHandle = MemoryMarshal.Read<FuseOpenOut>(session.Channel.Last.AsSpan(16)).Fh;
        session.Channel.WriteResult = ENOENT;
        session.Send(Requests.Build(FuseOpcode.ReadDirPlus, 24, 1, Requests.Struct(new FuseReadIn { Fh = dirHandle, Size = 4096 })));
        Assert.Equal(2UL, fs.LookupReferences); // the listing's references ("a", "b", "d") were given back
        Assert.Empty(session.Log.Problems);
    }

    [Fact]
    public void AnInterruptThatArrivesBeforeItsRequestStillCancelsIt()
    {
        var fs = new MemoryFileSystem();
        using var session = new UnitSession(fs);
        session.Send(Create(10, "f"));
        ulong fh = MemoryMarshal.Read<FuseOpenOut>(session.Channel.Last.AsSpan(16 + Marshal.SizeOf<FuseEntryOut>())).Fh;
        var held = new FuseLkIn { Fh = fh, Owner = 1, Lk = new FuseFileLock { Start = 0, End = long.MaxValue, Type = 1, Pid = 1 } };
        Assert.Equal(0, BitConverter.ToInt32(session.Send(Requests.Build(FuseOpcode.SetLk, 12, 2, Requests.Struct(held)))!, 4));

        // INTERRUPT for unique 15 first (another reader had not registered 14 yet), then the blocking request
        Assert.Null(session.Send(Requests.Build(FuseOpcode.Interrupt, 15, 0, Requests.Struct(new FuseInterruptIn { Unique = 14 }))));
        var wanted = held with { Owner = 2 };
        byte[]? reply = session.Send(Requests.Build(FuseOpcode.SetLkW, 14, 2, Requests.Struct(wanted)));
        Assert.Equal(16, reply!.Length);
        Assert.Equal(-EINTR, BitConverter.ToInt32(reply, 4));
    }

    [Fact]
    public void TheObserverSeesEveryRequestWithItsTimes()
    {
        using var session = new UnitSession(new MemoryFileSystem());
        var observer = new CountingObserver();
        session.Session.Observer = observer;
        session.Send(Requests.Build(FuseOpcode.GetAttr, 10, 1, Requests.Struct(new FuseGetattrIn())));
        session.Send(Requests.Build(FuseOpcode.Lookup, 12, 1, Requests.Name("missing")));
        session.Send(Requests.Build(FuseOpcode.Forget, 14, 1, Requests.Struct(new FuseForgetIn { Nlookup = 1 })));
        Assert.Equal([(FuseOpcode.GetAttr, 0), (FuseOpcode.Lookup, ENOENT), (FuseOpcode.Forget, 0)], observer.Seen);
        Assert.Equal(3, observer.Started);
        Assert.True(observer.Ordered);
    }

    private sealed class CountingObserver : IFuseRequestObserver
    {
        public List<(FuseOpcode, int)> Seen { get; } = [];
        public bool Ordered { get; private set; } = true;
        public int Started { get; private set; }

        public void OnRequestStarted(FuseOpcode opcode) => Started++;

        public void OnRequest(FuseOpcode opcode, long read, long handlerStart, long handlerEnd, long replied, int errno, long bytes)
        {
            Seen.Add((opcode, errno));
            Ordered &= handlerStart <= handlerEnd && handlerEnd <= replied && handlerStart > 0;
        }
    }
}
