using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient.Native;

/// <summary><c>inodeno_t</c> (cephfs/ceph_ll_client.h): <c>{ uint64_t val; }</c>, passed by value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct InodeNo
{
    public readonly ulong Val;

    public InodeNo(ulong val) => Val = val;
}
