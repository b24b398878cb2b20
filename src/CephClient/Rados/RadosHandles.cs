using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient.Rados;

/// <summary><c>rados_t</c>: released with <c>rados_shutdown</c> once every I/O context on it is gone.</summary>
internal sealed class RadosClusterHandle : SafeHandle
{
    public RadosClusterHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        RadosNative.Shutdown(handle);
        return true;
    }
}

/// <summary>
/// <c>rados_ioctx_t</c>: holds a reference on its cluster handle, so the cluster is shut down only after
/// every I/O context made from it has been destroyed (librados requires that order).
/// </summary>
internal sealed class RadosIoContextHandle : SafeHandle
{
    private RadosClusterHandle? _cluster;

    public RadosIoContextHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    public static RadosIoContextHandle Create(RadosClusterHandle cluster, string pool)
    {
        bool added = false;
        cluster.DangerousAddRef(ref added);
        int rc = RadosNative.IoCtxCreate(cluster, pool, out nint ioctx);
        if (rc < 0)
        {
            cluster.DangerousRelease();
            throw new CephException(-rc, "rados_ioctx_create", $"pool={pool}");
        }
        var result = new RadosIoContextHandle { _cluster = cluster };
        result.SetHandle(ioctx);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        RadosNative.IoCtxDestroy(handle);
        _cluster?.DangerousRelease();
        return true;
    }
}

/// <summary><c>rados_write_op_t</c>, released with <c>rados_release_write_op</c>.</summary>
internal sealed class RadosWriteOpHandle : SafeHandle
{
    public RadosWriteOpHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        RadosNative.ReleaseWriteOp(handle);
        return true;
    }
}

/// <summary><c>rados_read_op_t</c>, released with <c>rados_release_read_op</c>.</summary>
internal sealed class RadosReadOpHandle : SafeHandle
{
    public RadosReadOpHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        RadosNative.ReleaseReadOp(handle);
        return true;
    }
}

/// <summary><c>rados_omap_iter_t</c>, closed with <c>rados_omap_get_end</c>.</summary>
internal sealed class RadosOmapIteratorHandle : SafeHandle
{
    public RadosOmapIteratorHandle(nint iter) : base(0, ownsHandle: true) => SetHandle(iter);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        RadosNative.OmapGetEnd(handle);
        return true;
    }
}
