using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient.Native;

namespace ManagedCephFuse.CephClient;

/// <summary>An open directory stream (<c>ceph_dir_result*</c>); disposing releases it with <c>ceph_ll_releasedir</c>.</summary>
public sealed class CephDirectory : SafeHandle
{
    private readonly CephMountHandle _mount;

    internal CephDirectory(CephMountHandle mount, DirPtr dir, VInodeNo vino)
        : base(0, ownsHandle: true)
    {
        _mount = mount;
        _mount.AddChild();
        SetHandle(dir.Value);
        VInode = vino;
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The directory's inode.</summary>
    public VInodeNo VInode { get; }

    /// <summary>The raw pointer for <see cref="CephLowLevel"/> calls; valid while this object is open.</summary>
    public DirPtr Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new DirPtr(handle);
        }
    }

    public override string ToString() => $"directory {VInode}";

    protected override bool ReleaseHandle()
    {
        int r = LibCephFs.ceph_ll_releasedir(_mount.DangerousGetHandle(), new DirPtr(handle));
        _mount.RemoveChild();
        return r >= 0;
    }
}
