using System.Runtime.CompilerServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

// Extended attributes: SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR.
internal static partial class FuseOperations
{
    private const int XattrSizeMax = 65536;

    public static int SetXattr(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        // 16 bytes with SETXATTR_EXT, else the 8-byte compat layout.
        bool extended = worker.Session.SetxattrExt;
        int fixedSize = extended ? Unsafe.SizeOf<FuseSetxattrIn>() : FuseProtocol.CompatSetxattrInSize;
        if (argument.Length < fixedSize)
            return EINVAL;
        uint size = In<uint>(argument);
        uint flags = In<uint>(argument[4..]);
        var setxattrFlags = extended ? (FuseSetxattrFlags)In<uint>(argument[8..]) : FuseSetxattrFlags.None;
        argument = argument[fixedSize..];
        if (!TakeXattrName(ref argument, out var name))
            return EINVAL;
        if (size > (uint)argument.Length || size > XattrSizeMax)
            return EINVAL;
        var request = new SetXattrRequest(header.NodeId, name, argument[..(int)size], (int)flags, setxattrFlags);
        return worker.FileSystem.SetXattr(worker.Context, request);
    }

    public static int GetXattr(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        uint size = In<FuseGetxattrIn>(argument).Size;
        argument = argument[Unsafe.SizeOf<FuseGetxattrIn>()..];
        if (!TakeXattrName(ref argument, out var name))
            return EINVAL;
        int asked = (int)Math.Min(size, (uint)XattrSizeMax);
        Span<byte> value = asked == 0 ? default : worker.ReplyPayload[..asked];
        int result = worker.FileSystem.GetXattr(worker.Context, new GetXattrRequest(header.NodeId, name, asked), value, out int length);
        return XattrReply(worker, asked, result, length, out replyLength);
    }

    public static int ListXattr(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        int asked = (int)Math.Min(In<FuseGetxattrIn>(argument).Size, (uint)XattrSizeMax);
        Span<byte> list = asked == 0 ? default : worker.ReplyPayload[..asked];
        int result = worker.FileSystem.ListXattr(worker.Context, new ListXattrRequest(header.NodeId, asked), list, out int length);
        return XattrReply(worker, asked, result, length, out replyLength);
    }

    /// <summary>An attribute name: 1..255 bytes up to the NUL ('/' is allowed in xattr names).</summary>
    private static bool TakeXattrName(ref ReadOnlySpan<byte> argument, out ReadOnlySpan<byte> name)
    {
        int nul = argument.IndexOf((byte)0);
        if (nul is <= 0 or > 255)
        {
            name = default;
            return false;
        }
        name = argument[..nul];
        argument = argument[(nul + 1)..];
        return true;
    }

    /// <summary>Size 0 asks for the size (fuse_getxattr_out); otherwise the bytes, or ERANGE when they do not fit.</summary>
    private static int XattrReply(FuseWorker worker, int asked, int result, int length, out int replyLength)
    {
        replyLength = 0;
        if (result != 0)
            return result;
        if (length < 0)
            return EIO;
        if (asked == 0)
        {
            worker.ReplyAs<FuseGetxattrOut>().Size = (uint)length;
            return Sized<FuseGetxattrOut>(out replyLength);
        }
        if (length > asked)
            return ERANGE;
        replyLength = length;
        return 0;
    }

    public static int RemoveXattr(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        return TakeXattrName(ref argument, out var name)
            ? worker.FileSystem.RemoveXattr(worker.Context, new RemoveXattrRequest(header.NodeId, name))
            : EINVAL;
    }
}
