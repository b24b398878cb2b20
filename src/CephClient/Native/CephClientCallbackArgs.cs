using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient.Native;

/// <summary>
/// <c>struct ceph_client_callback_args</c> as Pacific's cephfs/ceph_ll_client.h declares it (the v1 struct
/// <c>ceph_ll_register_callbacks</c> takes). NULL members are left alone; there is no way to unregister.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CephClientCallbackArgs
{
    /// <summary>void *handle: passed back to every callback.</summary>
    public void* Handle;
    /// <summary>client_ino_callback_t ino_cb: void (*)(void *handle, vinodeno_t ino, int64_t off, int64_t len).</summary>
    public delegate* unmanaged<void*, VInodeNo, long, long, void> InoCb;
    /// <summary>client_dentry_callback_t dentry_cb:
    /// void (*)(void *handle, vinodeno_t dirino, vinodeno_t ino, const char *name, size_t len).</summary>
    public delegate* unmanaged<void*, VInodeNo, VInodeNo, byte*, nuint, void> DentryCb;
    /// <summary>client_switch_interrupt_callback_t switch_intr_cb: void (*)(void *handle, void *data).</summary>
    public delegate* unmanaged<void*, void*, void> SwitchIntrCb;
    /// <summary>client_remount_callback_t remount_cb: int (*)(void *handle).</summary>
    public delegate* unmanaged<void*, int> RemountCb;
    /// <summary>client_umask_callback_t umask_cb: mode_t (*)(void *handle).</summary>
    public delegate* unmanaged<void*, uint> UmaskCb;
    /// <summary>client_ino_release_t ino_release_cb: void (*)(void *handle, vinodeno_t ino).</summary>
    public delegate* unmanaged<void*, VInodeNo, void> InoReleaseCb;
}
