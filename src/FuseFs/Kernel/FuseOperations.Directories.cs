using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

// Directory handles: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR.
internal static partial class FuseOperations
{
    public static int OpenDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref FuseOpenOut reply = ref worker.ReplyAs<FuseOpenOut>();
        int result = worker.FileSystem.OpenDir(worker.Context, new OpenDirRequest(header.NodeId, (int)In<FuseOpenIn>(argument).Flags), ref reply);
        return result != 0 ? result : Sized<FuseOpenOut>(out replyLength);
    }

    public static int ReadDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength) =>
        ReadDirCore(worker, in header, argument, plus: false, out replyLength);

    public static int ReadDirPlus(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength) =>
        ReadDirCore(worker, in header, argument, plus: true, out replyLength);

    private static int ReadDirCore(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, bool plus, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseReadIn read = ref In<FuseReadIn>(argument);
        Span<byte> buffer = worker.ReplyPayload;
        if (read.Size < (uint)buffer.Length)
            buffer = buffer[..(int)read.Size];
        var writer = new DirectoryWriter(buffer, plus);
        var request = new ReadDirRequest(header.NodeId, read.Fh, (long)read.Offset, buffer.Length);
        int result = plus
            ? worker.FileSystem.ReadDirPlus(worker.Context, request, ref writer)
            : worker.FileSystem.ReadDir(worker.Context, request, ref writer);
        if (result != 0)
        {
            if (plus && writer.Count > 0)
                UndoReadDirPlus(worker, in header, buffer[..writer.Length]); // entries the kernel will never see
            return result;
        }
        replyLength = writer.Length;
        return 0;
    }

    public static int ReleaseDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseReleaseIn release = ref In<FuseReleaseIn>(argument);
        return worker.FileSystem.ReleaseDir(worker.Context, new ReleaseDirRequest(header.NodeId, release.Fh, (int)release.Flags));
    }

    public static int FsyncDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseFsyncIn fsync = ref In<FuseFsyncIn>(argument);
        bool dataOnly = (fsync.FsyncFlags & FuseFsyncFlags.Fdatasync) != 0;
        return worker.FileSystem.FsyncDir(worker.Context, new FsyncDirRequest(header.NodeId, fsync.Fh, dataOnly));
    }
}
