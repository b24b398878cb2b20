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

    [Fact]
    public void StoppingDrainsWhatIsInFlightAndLetsNothingElseThrough()
    {
        var fs = new GatedFileSystem();
        using var session = new UnitSession(fs);
        FuseWorker second = session.Session.CreateWorker(session.Channel);
        byte[] getattr = Requests.Build(FuseOpcode.GetAttr, 10, 1, Requests.Struct(new FuseGetattrIn()));
        var inFlight = new Thread(() =>
        {
            getattr.CopyTo(second.RequestBuffer);
            second.Dispatch(getattr.Length);
        });
        inFlight.Start();
        Assert.True(fs.Entered.Wait(TimeSpan.FromSeconds(5)));

        // The handler is still inside the file system: a stop with a short wait says so and keeps waiting possible.
        Assert.False(session.Session.Stop(TimeSpan.FromMilliseconds(50)));
        Assert.True(session.Session.IsStopping);
        bool drained = false;
        var stopper = new Thread(() => drained = session.Session.Stop(TimeSpan.FromSeconds(10)));
        stopper.Start();
        Assert.False(stopper.Join(TimeSpan.FromMilliseconds(50)));
        fs.Release.Set();
        Assert.True(stopper.Join(TimeSpan.FromSeconds(10)));
        Assert.True(drained);
        inFlight.Join();
        Assert.Equal(0, BitConverter.ToInt32(session.Channel.Written.First(m => BitConverter.ToUInt64(m, 8) == 10), 4));

        // After the stop nothing reaches the file system: requests get ENOTCONN, FORGET is dropped.
        byte[]? reply = session.Send(Requests.Build(FuseOpcode.GetAttr, 12, 1, Requests.Struct(new FuseGetattrIn())));
        Assert.Equal(-ENOTCONN, BitConverter.ToInt32(reply!, 4));
        Assert.Null(session.Send(Requests.Build(FuseOpcode.Forget, 14, 1, Requests.Struct(new FuseForgetIn { Nlookup = 1 }))));
        Assert.Equal(1, fs.Calls);
        Assert.Equal(0, fs.Forgets);
        second.Dispose();
    }

    /// <summary>GETATTR waits until released; counts what reaches it.</summary>
    private sealed class GatedFileSystem : IFuseFileSystem
    {
        private int _calls;
        private int _forgets;

        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();
        public int Calls => Volatile.Read(ref _calls);
        public int Forgets => Volatile.Read(ref _forgets);

        public int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr)
        {
            Interlocked.Increment(ref _calls);
            Entered.Set();
            Release.Wait();
            attr.Attr.Mode = 0x41ED;
            return 0;
        }

        public void Forget(ReadOnlySpan<FuseForgetOne> nodes) => Interlocked.Increment(ref _forgets);
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
