using System.Collections.Concurrent;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Memory;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>A channel that records every reply and notification (unit tests of the request path without a kernel).</summary>
internal sealed class ScriptedChannel : IFuseChannel
{
    public ConcurrentQueue<byte[]> Written { get; } = new();

    /// <summary>The errno the next writes report (0 = accepted); ENOENT simulates an interrupted requester.</summary>
    public int WriteResult { get; set; }

    public int Read(Span<byte> buffer) => -19; // ENODEV: no kernel here

    public int Write(ReadOnlySpan<byte> message)
    {
        Written.Enqueue(message.ToArray());
        return -WriteResult;
    }

    public byte[] Last => Written.Last();

    public void Dispose()
    {
    }
}

/// <summary>A session over a <see cref="ScriptedChannel"/> with one worker, INIT already answered.</summary>
internal sealed class UnitSession : IDisposable
{
    public UnitSession(IFuseFileSystem? fileSystem = null, bool init = true)
    {
        FileSystem = fileSystem ?? new MemoryFileSystem();
        Channel = new ScriptedChannel();
        Log = new TestLogger();
        Session = FuseSession.ForChannel(FileSystem, new FuseMountOptions { MountPoint = "/nonexistent", MinReaders = 1 }, Log, Channel);
        Worker = Session.CreateWorker(Channel);
        if (init)
        {
            var initIn = new FuseInitIn { Major = 7, Minor = 45, MaxReadahead = 131072, Flags = uint.MaxValue, Flags2 = 0x7FF };
            Send(Requests.Build(FuseOpcode.Init, 2, 0, Requests.Struct(initIn)));
        }
    }

    public IFuseFileSystem FileSystem { get; }

    public ScriptedChannel Channel { get; }

    public TestLogger Log { get; }

    public FuseSession Session { get; }

    public FuseWorker Worker { get; }

    /// <summary>Dispatches one request; returns what was written for it (null when nothing was).</summary>
    public byte[]? Send(ReadOnlySpan<byte> request)
    {
        int before = Channel.Written.Count;
        request.CopyTo(Worker.RequestBuffer);
        Worker.Dispatch(request.Length);
        return Channel.Written.Count > before ? Channel.Last : null;
    }

    public void Dispose()
    {
        Worker.Dispose();
        Session.Dispose();
    }
}

/// <summary>Builds raw FUSE requests.</summary>
internal static class Requests
{
    public static byte[] Struct<T>(T value) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)).ToArray();

    public static byte[] Name(string name) => [.. System.Text.Encoding.UTF8.GetBytes(name), 0];

    public static byte[] Build(FuseOpcode opcode, ulong unique, ulong nodeId, params byte[][] parts)
    {
        int length = 40 + parts.Sum(p => p.Length);
        var header = new FuseInHeader
        {
            Len = (uint)length,
            Opcode = opcode,
            Unique = unique,
            NodeId = nodeId,
            Uid = 0,
            Gid = 0,
            Pid = (uint)Environment.ProcessId,
        };
        return [.. Struct(header), .. parts.SelectMany(p => p)];
    }
}
