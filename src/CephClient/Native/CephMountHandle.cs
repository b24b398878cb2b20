using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient.Native;

/// <summary>
/// Owns a <c>ceph_mount_info*</c>. Releasing it unmounts (when mounted) and calls <c>ceph_release</c>.
/// Every <see cref="CephInode"/>, <see cref="CephFile"/> and <see cref="CephDirectory"/> holds a SafeHandle
/// reference on it, so the unmount waits for the last of them: libcephfs crashes on an ll call with an
/// <c>Inode*</c> or <c>Fh*</c> of an unmounted client.
/// </summary>
internal sealed class CephMountHandle : SafeHandle
{
    private int _children;

    public CephMountHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The registered callbacks' GCHandle, freed after <c>ceph_release</c> (no callback can follow).</summary>
    internal GCHandle Callbacks { get; set; }

    /// <summary>Owning handles (inodes, files, directories) still open.</summary>
    internal int Children => Volatile.Read(ref _children);

    /// <summary>Called by a child handle: keeps this handle (and the mount) alive until <see cref="RemoveChild"/>.</summary>
    internal void AddChild()
    {
        bool added = false;
        DangerousAddRef(ref added);
        Interlocked.Increment(ref _children);
    }

    internal void RemoveChild()
    {
        Interlocked.Decrement(ref _children);
        DangerousRelease();
    }

    protected override bool ReleaseHandle()
    {
        if (LibCephFs.ceph_is_mounted(handle) != 0 && LibCephFs.ceph_unmount(handle) < 0)
            _ = LibCephFs.ceph_abort_conn(handle);
        int r = LibCephFs.ceph_release(handle);
        if (Callbacks.IsAllocated)
            Callbacks.Free();
        return r == 0;
    }
}
