using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// Messages the file system sends to the kernel on its own (notifications): drop cached data, attributes or names
/// when they changed behind the kernel's back (another client, a cap revocation). Thread-safe; each call is one
/// write to /dev/fuse and returns 0 or a positive errno:
/// ENOENT — the kernel has nothing cached for it (not an error for an invalidation);
/// ENOSYS — the kernel's protocol version lacks this notification; ENOTCONN — not mounted (yet or any more).
/// <para>
/// Deadlock rule: the kernel takes the inode's or directory's lock to apply a notification. Never call these from a
/// request handler serving the same inode or directory (the kernel holds that lock while it waits for the reply);
/// call them from the file system's own threads (e.g. libcephfs callbacks).
/// </para>
/// </summary>
internal sealed class FuseNotifier
{
    private const int MaxName = 255;
    private readonly IFuseChannel _device;
    private volatile bool _live;

    internal FuseNotifier(IFuseChannel device) => _device = device;

    /// <summary>The negotiated protocol minor (0 before INIT).</summary>
    public uint ProtocolMinor { get; private set; }

    /// <summary>True when the kernel offered FUSE_HAS_RESEND (7.40).</summary>
    public bool CanResend { get; private set; }

    /// <summary>True when the kernel supports expire-only entry invalidation (HAS_EXPIRE_ONLY).</summary>
    public bool CanExpireOnly { get; private set; }

    internal void Start(uint minor, FuseInitFlags kernelFlags)
    {
        ProtocolMinor = minor;
        CanResend = (kernelFlags & FuseInitFlags.HasResend) != 0;
        CanExpireOnly = (kernelFlags & FuseInitFlags.HasExpireOnly) != 0;
        _live = true;
    }

    internal void Stop() => _live = false;

    /// <summary>
    /// NOTIFY_INVAL_INODE: forget cached attributes of <paramref name="nodeId"/> and its cached data in
    /// [<paramref name="offset"/>, offset + <paramref name="length"/>) (length 0 = to the end of the file;
    /// a negative offset = attributes only, keep the data).
    /// </summary>
    public int InvalidateInode(ulong nodeId, long offset = 0, long length = 0)
    {
        var message = new InvalInodeMessage
        {
            Header = Header<InvalInodeMessage>(FuseNotifyCode.InvalInode),
            Body = new FuseNotifyInvalInodeOut { Ino = nodeId, Off = offset, Len = length },
        };
        return Send(MemoryMarshal.AsBytes(new ReadOnlySpan<InvalInodeMessage>(in message)));
    }

    /// <summary>
    /// NOTIFY_INVAL_ENTRY: forget the cached name <paramref name="name"/> in directory <paramref name="parent"/> (and
    /// the parent's cached attributes). With <paramref name="expireOnly"/> the entry is only marked stale (kept for
    /// open files and mounts; needs <see cref="CanExpireOnly"/>).
    /// </summary>
    public int InvalidateEntry(ulong parent, ReadOnlySpan<byte> name, bool expireOnly = false)
    {
        if (name.IsEmpty || name.Length > MaxName)
            return EINVAL;
        if (expireOnly && !CanExpireOnly)
            return ENOSYS;
        Span<byte> buffer = stackalloc byte[Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyInvalEntryOut>() + MaxName + 1];
        int length = Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyInvalEntryOut>() + name.Length + 1;
        buffer = buffer[..length];
        MemoryMarshal.Write(buffer, new FuseOutHeader { Len = (uint)length, Error = (int)FuseNotifyCode.InvalEntry });
        MemoryMarshal.Write(buffer[Unsafe.SizeOf<FuseOutHeader>()..], new FuseNotifyInvalEntryOut
        {
            Parent = parent,
            Namelen = (uint)name.Length,
            Flags = expireOnly ? FuseNotifyInvalEntryFlags.ExpireOnly : FuseNotifyInvalEntryFlags.None,
        });
        name.CopyTo(buffer[(Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyInvalEntryOut>())..]);
        buffer[^1] = 0;
        return Send(buffer);
    }

    /// <summary>
    /// NOTIFY_DELETE: the entry <paramref name="name"/> → <paramref name="child"/> in <paramref name="parent"/> was
    /// removed: the kernel drops the name (and, if nothing else holds it, the inode's cache) as after an unlink.
    /// </summary>
    public int Delete(ulong parent, ulong child, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxName)
            return EINVAL;
        Span<byte> buffer = stackalloc byte[Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyDeleteOut>() + MaxName + 1];
        int length = Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyDeleteOut>() + name.Length + 1;
        buffer = buffer[..length];
        MemoryMarshal.Write(buffer, new FuseOutHeader { Len = (uint)length, Error = (int)FuseNotifyCode.Delete });
        MemoryMarshal.Write(buffer[Unsafe.SizeOf<FuseOutHeader>()..], new FuseNotifyDeleteOut
        {
            Parent = parent,
            Child = child,
            Namelen = (uint)name.Length,
        });
        name.CopyTo(buffer[(Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyDeleteOut>())..]);
        buffer[^1] = 0;
        return Send(buffer);
    }

    /// <summary>
    /// NOTIFY_RESEND (7.40): the kernel re-queues every request it sent us and has no reply for yet (a restarted
    /// daemon that took over the connection uses this). ENOSYS without <see cref="CanResend"/>.
    /// </summary>
    public int Resend()
    {
        if (!CanResend)
            return ENOSYS;
        var header = Header<FuseOutHeader>(FuseNotifyCode.Resend);
        return Send(MemoryMarshal.AsBytes(new ReadOnlySpan<FuseOutHeader>(in header)));
    }

    /// <summary>
    /// NOTIFY_PRUNE (7.45): ask the kernel to drop its unused cached inodes among <paramref name="nodeIds"/> (it then
    /// sends FORGET for them). At most 256 per call.
    /// </summary>
    public int Prune(ReadOnlySpan<ulong> nodeIds)
    {
        if (ProtocolMinor < 45)
            return ENOSYS;
        if (nodeIds.IsEmpty || nodeIds.Length > 256)
            return EINVAL;
        int fixedPart = Unsafe.SizeOf<FuseOutHeader>() + Unsafe.SizeOf<FuseNotifyPruneOut>();
        Span<byte> buffer = stackalloc byte[fixedPart + (256 * sizeof(ulong))];
        int length = fixedPart + (nodeIds.Length * sizeof(ulong));
        buffer = buffer[..length];
        MemoryMarshal.Write(buffer, new FuseOutHeader { Len = (uint)length, Error = (int)FuseNotifyCode.Prune });
        MemoryMarshal.Write(buffer[Unsafe.SizeOf<FuseOutHeader>()..], new FuseNotifyPruneOut { Count = (uint)nodeIds.Length });
        MemoryMarshal.AsBytes(nodeIds).CopyTo(buffer[fixedPart..]);
        return Send(buffer);
    }

    private int Send(ReadOnlySpan<byte> message) => _live ? -_device.Write(message) : ENOTCONN;

    private static FuseOutHeader Header<T>(FuseNotifyCode code) where T : unmanaged =>
        new() { Len = (uint)Unsafe.SizeOf<T>(), Error = (int)code, Unique = 0 };

    [StructLayout(LayoutKind.Sequential)]
    private struct InvalInodeMessage
    {
        public FuseOutHeader Header;
        public FuseNotifyInvalInodeOut Body;
    }
}
