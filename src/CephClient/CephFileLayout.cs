using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// <c>struct ceph_file_layout</c> (libcephfs.h, packed, 28 bytes): how a file's bytes map to RADOS objects.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct CephFileLayout
{
    /// <summary>fl_stripe_unit: bytes written to one object before moving to the next.</summary>
    public uint StripeUnit;
    /// <summary>fl_stripe_count: objects a stripe spans.</summary>
    public uint StripeCount;
    /// <summary>fl_object_size: bytes per object.</summary>
    public uint ObjectSize;
    /// <summary>fl_cas_hash (unused by CephFS).</summary>
    public uint CasHash;
    /// <summary>fl_object_stripe_unit (unused by CephFS).</summary>
    public uint ObjectStripeUnit;
    /// <summary>fl_pg_preferred (unused; -1).</summary>
    public uint PgPreferred;
    /// <summary>fl_pg_pool: the data pool's id.</summary>
    public uint PgPool;
}
