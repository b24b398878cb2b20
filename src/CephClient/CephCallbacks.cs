using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// Receives libcephfs's client callbacks (<c>ceph_ll_register_callbacks</c>, Pacific's v1 struct). Each runs on a
/// libcephfs thread (its finishers), must return quickly and must not call back into the same mount
/// synchronously. An exception is caught (it must not unwind into native code) and counted in
/// <see cref="CephMount.CallbackFailures"/>. Implement the members registered with <see cref="CephCallbackKinds"/>.
/// </summary>
public interface ICephClientCallbacks
{
    /// <summary>ino_cb: cached data and attributes of <paramref name="inode"/> are stale. Offset 0 and length 0
    /// mean the whole file (FUSE NOTIFY_INVAL_INODE).</summary>
    void InvalidateInode(VInodeNo inode, long offset, long length) { }

    /// <summary>dentry_cb: the name <paramref name="name"/> in <paramref name="directory"/> (once pointing at
    /// <paramref name="inode"/>) must be dropped (FUSE NOTIFY_INVAL_ENTRY / NOTIFY_DELETE). The name is valid only
    /// during the call.</summary>
    void InvalidateDentry(VInodeNo directory, VInodeNo inode, ReadOnlySpan<byte> name) { }

    /// <summary>switch_intr_cb: a blocking lock request starts (<paramref name="request"/> non-zero) or ends
    /// (zero) on this thread. Pacific's C API has no call to interrupt it, so this is informational.</summary>
    void SwitchInterrupt(nint request) { }

    /// <summary>remount_cb: the client wants the kernel's dentry cache trimmed (ceph-fuse remounts). Return 0;
    /// non-zero makes libcephfs abort the process when <c>client_die_on_failed_dentry_invalidate</c> is on.</summary>
    int Remount() => 0;

    /// <summary>umask_cb: the umask of the caller, applied by libcephfs to new inodes when POSIX ACLs are on
    /// (<c>client_acl_type=posix_acl</c>).</summary>
    uint GetUmask() => 0x12; // 022

    /// <summary>ino_release_cb: the MDS wants caps back; release ll references on <paramref name="inode"/> if
    /// possible (FUSE NOTIFY_INVAL_ENTRY of its names lets the kernel forget it).</summary>
    void ReleaseInode(VInodeNo inode) { }
}

/// <summary>Which members of <see cref="ICephClientCallbacks"/> to register (a NULL slot is left alone).</summary>
[Flags]
public enum CephCallbackKinds
{
    None = 0,
    InvalidateInode = 1 << 0,
    InvalidateDentry = 1 << 1,
    SwitchInterrupt = 1 << 2,
    Remount = 1 << 3,
    Umask = 1 << 4,
    ReleaseInode = 1 << 5,
    /// <summary>What a FUSE bridge with kernel caching wants: inode and dentry invalidation, inode release.</summary>
    Invalidation = InvalidateInode | InvalidateDentry | ReleaseInode,
}

/// <summary>The object behind the callbacks' <c>void *handle</c>, and the [UnmanagedCallersOnly] entry points.</summary>
internal sealed unsafe class CephCallbackRegistration
{
    private int _failures;

    public CephCallbackRegistration(ICephClientCallbacks sink) => Sink = sink;

    public ICephClientCallbacks Sink { get; }

    public int Failures => Volatile.Read(ref _failures);

    public static Native.CephClientCallbackArgs CreateArgs(void* handle, CephCallbackKinds kinds) => new()
    {
        Handle = handle,
        InoCb = (kinds & CephCallbackKinds.InvalidateInode) != 0 ? &OnInvalidateInode : null,
        DentryCb = (kinds & CephCallbackKinds.InvalidateDentry) != 0 ? &OnInvalidateDentry : null,
        SwitchIntrCb = (kinds & CephCallbackKinds.SwitchInterrupt) != 0 ? &OnSwitchInterrupt : null,
        RemountCb = (kinds & CephCallbackKinds.Remount) != 0 ? &OnRemount : null,
        UmaskCb = (kinds & CephCallbackKinds.Umask) != 0 ? &OnUmask : null,
        InoReleaseCb = (kinds & CephCallbackKinds.ReleaseInode) != 0 ? &OnReleaseInode : null,
    };

    private static CephCallbackRegistration? From(void* handle) =>
        GCHandle.FromIntPtr((nint)handle).Target as CephCallbackRegistration;

    private void Failed() => Interlocked.Increment(ref _failures);

    [UnmanagedCallersOnly]
    private static void OnInvalidateInode(void* handle, VInodeNo ino, long offset, long length)
    {
        var self = From(handle);
        try
        {
            self?.Sink.InvalidateInode(ino, offset, length);
        }
        catch (Exception)
        {
            self?.Failed();
        }
    }

    [UnmanagedCallersOnly]
    private static void OnInvalidateDentry(void* handle, VInodeNo dir, VInodeNo ino, byte* name, nuint length)
    {
        var self = From(handle);
        try
        {
            self?.Sink.InvalidateDentry(dir, ino, new ReadOnlySpan<byte>(name, checked((int)length)));
        }
        catch (Exception)
        {
            self?.Failed();
        }
    }

    [UnmanagedCallersOnly]
    private static void OnSwitchInterrupt(void* handle, void* data)
    {
        var self = From(handle);
        try
        {
            self?.Sink.SwitchInterrupt((nint)data);
        }
        catch (Exception)
        {
            self?.Failed();
        }
    }

    [UnmanagedCallersOnly]
    private static int OnRemount(void* handle)
    {
        var self = From(handle);
        try
        {
            return self?.Sink.Remount() ?? 0;
        }
        catch (Exception)
        {
            self?.Failed();
            return 0; // a failure here may make libcephfs abort the whole process
        }
    }

    [UnmanagedCallersOnly]
    private static uint OnUmask(void* handle)
    {
        var self = From(handle);
        try
        {
            return self?.Sink.GetUmask() ?? 0x12;
        }
        catch (Exception)
        {
            self?.Failed();
            return 0x12; // 022
        }
    }

    [UnmanagedCallersOnly]
    private static void OnReleaseInode(void* handle, VInodeNo ino)
    {
        var self = From(handle);
        try
        {
            self?.Sink.ReleaseInode(ino);
        }
        catch (Exception)
        {
            self?.Failed();
        }
    }
}
