using System.Runtime.CompilerServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

// Name and inode operations: LOOKUP, GETATTR, SETATTR, STATX, READLINK, SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR,
// RENAME, RENAME2, LINK, ACCESS, STATFS.
internal static partial class FuseOperations
{
    public static int Lookup(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        if (TakeName(ref argument, out var name) is int bad and not 0)
            return bad;
        ref FuseEntryOut entry = ref worker.ReplyAs<FuseEntryOut>();
        int result = worker.FileSystem.Lookup(worker.Context, new LookupRequest(header.NodeId, name), ref entry);
        return result != 0 ? result : Sized<FuseEntryOut>(out replyLength);
    }

    public static int GetAttr(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseGetattrIn getattr = ref In<FuseGetattrIn>(argument);
        ulong? fh = (getattr.GetattrFlags & FuseGetAttrFlags.Fh) != 0 ? getattr.Fh : null;
        ref FuseAttrOut attr = ref worker.ReplyAs<FuseAttrOut>();
        int result = worker.FileSystem.GetAttr(worker.Context, new GetAttrRequest(header.NodeId, fh), ref attr);
        return result != 0 ? result : Sized<FuseAttrOut>(out replyLength);
    }

    public static int SetAttr(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref FuseAttrOut attr = ref worker.ReplyAs<FuseAttrOut>();
        int result = worker.FileSystem.SetAttr(worker.Context, new SetAttrRequest(header.NodeId, in In<FuseSetattrIn>(argument)), ref attr);
        return result != 0 ? result : Sized<FuseAttrOut>(out replyLength);
    }

    public static int Statx(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseStatxIn statxIn = ref In<FuseStatxIn>(argument);
        ulong? fh = (statxIn.GetattrFlags & FuseGetAttrFlags.Fh) != 0 ? statxIn.Fh : null;
        ref FuseStatxOut statx = ref worker.ReplyAs<FuseStatxOut>();
        int result = worker.FileSystem.Statx(worker.Context, new StatxRequest(header.NodeId, fh, statxIn.SxFlags, statxIn.SxMask), ref statx);
        return result != 0 ? result : Sized<FuseStatxOut>(out replyLength);
    }

    public static int ReadLink(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        Span<byte> target = worker.ReplyPayload[..PathMax];
        int result = worker.FileSystem.ReadLink(worker.Context, new ReadLinkRequest(header.NodeId), target, out int length);
        if (result != 0)
            return result;
        if ((uint)length > (uint)target.Length)
            return EIO;
        replyLength = length;
        return 0;
    }

    public static int Symlink(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        if (TakeName(ref argument, out var name) is int bad and not 0)
            return bad;
        if (!TakeString(ref argument, out var target))
            return EINVAL;
        ref FuseEntryOut entry = ref worker.ReplyAs<FuseEntryOut>();
        int result = worker.FileSystem.Symlink(worker.Context, new SymlinkRequest(header.NodeId, name, target), ref entry);
        return result != 0 ? result : Sized<FuseEntryOut>(out replyLength);
    }

    public static int MkNod(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        FuseMknodIn mknod = In<FuseMknodIn>(argument);
        argument = argument[Unsafe.SizeOf<FuseMknodIn>()..];
        if (TakeName(ref argument, out var name) is int bad and not 0)
            return bad;
        worker.Context.Umask = mknod.Umask;
        ref FuseEntryOut entry = ref worker.ReplyAs<FuseEntryOut>();
        int result = worker.FileSystem.MkNod(worker.Context, new MkNodRequest(header.NodeId, name, mknod.Mode, mknod.Rdev), ref entry);
        return result != 0 ? result : Sized<FuseEntryOut>(out replyLength);
    }

    public static int MkDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        FuseMkdirIn mkdir = In<FuseMkdirIn>(argument);
        argument = argument[Unsafe.SizeOf<FuseMkdirIn>()..];
        if (TakeName(ref argument, out var name) is int bad and not 0)
            return bad;
        worker.Context.Umask = mkdir.Umask;
        ref FuseEntryOut entry = ref worker.ReplyAs<FuseEntryOut>();
        int result = worker.FileSystem.MkDir(worker.Context, new MkDirRequest(header.NodeId, name, mkdir.Mode), ref entry);
        return result != 0 ? result : Sized<FuseEntryOut>(out replyLength);
    }

    public static int Unlink(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        return TakeName(ref argument, out var name) is int bad and not 0
            ? bad
            : worker.FileSystem.Unlink(worker.Context, new UnlinkRequest(header.NodeId, name));
    }

    public static int RmDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        return TakeName(ref argument, out var name) is int bad and not 0
            ? bad
            : worker.FileSystem.RmDir(worker.Context, new RmDirRequest(header.NodeId, name));
    }

    public static int Rename(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ulong newDir = In<FuseRenameIn>(argument).Newdir;
        argument = argument[Unsafe.SizeOf<FuseRenameIn>()..];
        return RenameCore(worker, header.NodeId, newDir, RenameFlags.None, argument);
    }

    public static int Rename2(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        FuseRename2In rename = In<FuseRename2In>(argument);
        argument = argument[Unsafe.SizeOf<FuseRename2In>()..];
        return RenameCore(worker, header.NodeId, rename.Newdir, (RenameFlags)rename.Flags, argument);
    }

    private static int RenameCore(FuseWorker worker, ulong parent, ulong newParent, RenameFlags flags, ReadOnlySpan<byte> argument)
    {
        if (TakeName(ref argument, out var name) is int bad and not 0)
            return bad;
        if (TakeName(ref argument, out var newName) is int bad2 and not 0)
            return bad2;
        return worker.FileSystem.Rename(worker.Context, new RenameRequest(parent, name, newParent, newName, flags));
    }

    public static int Link(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ulong oldNode = In<FuseLinkIn>(argument).Oldnodeid;
        argument = argument[Unsafe.SizeOf<FuseLinkIn>()..];
        if (TakeName(ref argument, out var newName) is int bad and not 0)
            return bad;
        ref FuseEntryOut entry = ref worker.ReplyAs<FuseEntryOut>();
        int result = worker.FileSystem.Link(worker.Context, new LinkRequest(oldNode, header.NodeId, newName), ref entry);
        return result != 0 ? result : Sized<FuseEntryOut>(out replyLength);
    }

    public static int Access(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        return worker.FileSystem.Access(worker.Context, new AccessRequest(header.NodeId, (int)In<FuseAccessIn>(argument).Mask));
    }

    public static int StatFs(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref FuseStatfsOut statfs = ref worker.ReplyAs<FuseStatfsOut>();
        int result = worker.FileSystem.StatFs(worker.Context, new StatFsRequest(header.NodeId), ref statfs.St);
        return result != 0 ? result : Sized<FuseStatfsOut>(out replyLength);
    }
}
