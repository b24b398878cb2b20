using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient.Native;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// Credentials (<c>UserPerm*</c>) a call is permission-checked with: uid, gid and supplementary groups.
/// libcephfs keeps the group list without copying it, so this object owns a native copy that lives exactly as
/// long as the UserPerm. For per-request credentials on the hot path see <see cref="UserPermPtr.Create(uint, uint)"/>.
/// </summary>
public sealed unsafe class UserPerm : SafeHandle
{
    private uint* _groups;

    private UserPerm(uint uid, uint gid, uint[] groups)
        : base(0, ownsHandle: true)
    {
        Uid = uid;
        Gid = gid;
        Groups = groups;
    }

    public override bool IsInvalid => handle == 0;

    public uint Uid { get; }
    public uint Gid { get; }
    public IReadOnlyList<uint> Groups { get; }

    /// <summary>The raw pointer for <see cref="CephLowLevel"/> calls; valid while this object is alive.</summary>
    public UserPermPtr Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new UserPermPtr(handle);
        }
    }

    /// <summary>ceph_userperm_new for <paramref name="uid"/>, <paramref name="gid"/> and supplementary groups.</summary>
    public static UserPerm Create(uint uid, uint gid, ReadOnlySpan<uint> groups = default)
    {
        var perm = new UserPerm(uid, gid, groups.ToArray());
        if (groups.Length > 0)
        {
            perm._groups = (uint*)NativeMemory.Alloc((nuint)groups.Length, sizeof(uint));
            groups.CopyTo(new Span<uint>(perm._groups, groups.Length));
        }
        UserPermPtr native = LibCephFs.ceph_userperm_new(uid, gid, groups.Length, perm._groups);
        if (native.IsNull)
        {
            perm.Dispose();
            throw new CephException(Errno.ENOMEM, "ceph_userperm_new", $"uid {uid}, gid {gid}");
        }
        perm.SetHandle(native.Value);
        return perm;
    }

    public override string ToString() => $"uid {Uid} gid {Gid} groups [{string.Join(',', Groups)}]";

    protected override bool ReleaseHandle()
    {
        LibCephFs.ceph_userperm_destroy(new UserPermPtr(handle));
        FreeGroups();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (IsInvalid) // never had a native UserPerm: ReleaseHandle did not run
            FreeGroups();
    }

    private void FreeGroups()
    {
        uint* groups = _groups;
        _groups = null;
        if (groups != null)
            NativeMemory.Free(groups);
    }
}
