using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient.Native;

namespace ManagedCephFuse.CephClient;

/// <summary>An open file (<c>Fh*</c>) of a mount; disposing closes it with <c>ceph_ll_close</c>.</summary>
public sealed class CephFile : SafeHandle
{
    private readonly CephMountHandle _mount;

    internal CephFile(CephMountHandle mount, FhPtr file, VInodeNo vino)
        : base(0, ownsHandle: true)
    {
        _mount = mount;
        _mount.AddChild();
        SetHandle(file.Value);
        VInode = vino;
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The open inode.</summary>
    public VInodeNo VInode { get; }

    /// <summary>The raw pointer for <see cref="CephLowLevel"/> calls; valid while this object is open.</summary>
    public FhPtr Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new FhPtr(handle);
        }
    }

    public override string ToString() => $"file {VInode}";

    protected override bool ReleaseHandle()
    {
        int r = LibCephFs.ceph_ll_close(_mount.DangerousGetHandle(), new FhPtr(handle));
        _mount.RemoveChild();
        return r >= 0;
    }
}
