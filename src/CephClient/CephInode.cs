using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient.Native;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// One ll reference on an inode (<c>Inode*</c>) of a mount; disposing gives it back with <c>ceph_ll_put</c>.
/// Keeps its mount from unmounting until disposed.
/// </summary>
public sealed class CephInode : SafeHandle
{
    private readonly CephMountHandle _mount;

    internal CephInode(CephMountHandle mount, InodePtr inode, VInodeNo vino)
        : base(0, ownsHandle: true)
    {
        _mount = mount;
        _mount.AddChild();
        SetHandle(inode.Value);
        VInode = vino;
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The inode number and snapshot id.</summary>
    public VInodeNo VInode { get; }

    /// <summary>The inode number.</summary>
    public ulong Ino => VInode.Ino;

    /// <summary>
    /// The raw pointer for <see cref="CephLowLevel"/> calls; valid only while this object is neither disposed nor
    /// finalized (keep it reachable, e.g. with <see cref="GC.KeepAlive"/>, across the call).
    /// </summary>
    public InodePtr Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new InodePtr(handle);
        }
    }

    public override string ToString() => $"inode {VInode}";

    protected override bool ReleaseHandle()
    {
        int r = LibCephFs.ceph_ll_put(_mount.DangerousGetHandle(), new InodePtr(handle));
        _mount.RemoveChild();
        return r >= 0;
    }
}
