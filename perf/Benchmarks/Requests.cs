using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.Benchmarks;

/// <summary>FUSE requests as the kernel writes them, and a channel that takes replies and drops them.</summary>
internal static class Requests
{
    public static byte[] Struct<T>(T value) where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)).ToArray();

    public static byte[] Name(string name) => [.. System.Text.Encoding.UTF8.GetBytes(name), 0];

    public static byte[] Build(FuseOpcode opcode, ulong unique, ulong nodeId, params byte[][] parts)
    {
        int length = 40 + parts.Sum(p => p.Length);
        var header = new FuseInHeader { Len = (uint)length, Opcode = opcode, Unique = unique, NodeId = nodeId, Pid = (uint)Environment.ProcessId };
        return [.. Struct(header), .. parts.SelectMany(p => p)];
    }

    public static byte[] Init() =>
        Build(FuseOpcode.Init, 2, 0, Struct(new FuseInitIn { Major = 7, Minor = 45, MaxReadahead = 1 << 20, Flags = uint.MaxValue }));

    /// <summary>A session over <see cref="NullChannel"/> with one worker, INIT answered.</summary>
    public static (FuseSession Session, FuseWorker Worker) Session(IFuseFileSystem fileSystem, IFuseRequestObserver? observer = null)
    {
        var channel = new NullChannel();
        var session = FuseSession.ForChannel(fileSystem, new FuseMountOptions { MountPoint = "/bench", MinReaders = 1 },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, channel);
        session.Observer = observer;
        FuseWorker worker = session.CreateWorker(channel);
        Load(worker, Init());
        Channel = channel;
        return (session, worker);
    }

    /// <summary>The channel of the last <see cref="Session"/> made.</summary>
    public static NullChannel Channel { get; private set; } = new();

    /// <summary>Serves <paramref name="request"/> and throws unless it succeeded.</summary>
    public static void Expect(FuseWorker worker, byte[] request)
    {
        Load(worker, request);
        if (Channel.LastError != 0)
            throw new InvalidOperationException($"opcode {BitConverter.ToUInt32(request, 4)} failed: errno {Channel.LastError}");
    }

    /// <summary>Puts a request where read() would have and serves it.</summary>
    public static void Load(FuseWorker worker, byte[] request)
    {
        request.CopyTo(worker.RequestBuffer);
        worker.Dispatch(request.Length);
    }

    public sealed class NullChannel : IFuseChannel
    {
        public long Replies;

        /// <summary>The errno and length of the last reply (setups check that requests succeed).</summary>
        public int LastError, LastLength;

        public int Read(Span<byte> buffer) => -19; // ENODEV

        public int Write(ReadOnlySpan<byte> message)
        {
            Replies++;
            LastLength = message.Length;
            LastError = -MemoryMarshal.Read<int>(message[4..]);
            return 0;
        }

        public void Dispose()
        {
        }
    }
}
