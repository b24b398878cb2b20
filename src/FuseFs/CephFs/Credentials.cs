using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// The <c>UserPerm</c> a request acts with, from the caller's uid, gid and supplementary groups (as ceph-fuse's
/// <c>fuse_set_user_groups</c>): libcephfs checks permissions with it and stamps new inodes with its uid/gid.
/// Creating one per request would cost a native allocation (and reading <c>/proc/PID/status</c>) on the hot path,
/// so they are made once per distinct credential set and kept for the life of the mount. Root needs no groups
/// (libcephfs lets uid 0 through), which keeps the common case free of <c>/proc</c> reads.
/// </summary>
internal sealed unsafe class Credentials : IDisposable
{
    /// <summary>Distinct credential sets kept; past this, requests get a UserPerm of their own (still correct).</summary>
    private const int MaxCached = 16384;

    private readonly ConcurrentDictionary<ulong, Entry> _cache = new();
    private readonly bool _useGroups;
    private bool _disposed;

    public Credentials(bool useSupplementaryGroups) => _useGroups = useSupplementaryGroups;

    /// <summary>Cached credential sets.</summary>
    public int Count => _cache.Count;

    /// <summary>The UserPerm for the caller of <paramref name="context"/>; dispose the result when the request is done.</summary>
    public Perms For(FuseRequestContext context)
    {
        uint uid = context.Uid, gid = context.Gid;
        ReadOnlySpan<uint> groups = uid != 0 && _useGroups ? context.GetSupplementaryGroups() : default;
        ulong key = Key(uid, gid, groups);
        if (_cache.TryGetValue(key, out Entry? entry) && entry.Matches(uid, gid, groups))
            return new Perms(entry.Perm, owned: null);
        Entry made = Entry.Create(uid, gid, groups);
        if (_cache.Count < MaxCached && !_disposed && _cache.TryAdd(key, made))
            return new Perms(made.Perm, owned: null);
        return new Perms(made.Perm, owned: made); // a hash collision or a full cache: this request's own
    }

    /// <summary>Frees every cached UserPerm (after the session ended; libcephfs no longer uses them).</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (Entry entry in _cache.Values)
            entry.Free();
        _cache.Clear();
    }

    private static ulong Key(uint uid, uint gid, ReadOnlySpan<uint> groups)
    {
        ulong hash = ((ulong)uid << 32) | gid;
        hash ^= (ulong)groups.Length * 0x9E3779B97F4A7C15UL;
        foreach (uint g in groups)
            hash = (hash ^ g) * 0x100000001B3UL;
        return hash;
    }

    /// <summary>One request's credentials: a cached UserPerm (nothing to free) or its own.</summary>
    public readonly struct Perms : IDisposable
    {
        private readonly Entry? _owned;

        internal Perms(UserPermPtr perm, Entry? owned)
        {
            Ptr = perm;
            _owned = owned;
        }

        public UserPermPtr Ptr { get; }

        public void Dispose() => _owned?.Free();
    }

    internal sealed class Entry
    {
        private readonly uint[] _groups;
        private uint* _native;

        private Entry(uint uid, uint gid, uint[] groups)
        {
            Uid = uid;
            Gid = gid;
            _groups = groups;
        }

        public uint Uid { get; }
        public uint Gid { get; }
        public UserPermPtr Perm { get; private set; }

        public static Entry Create(uint uid, uint gid, ReadOnlySpan<uint> groups)
        {
            var entry = new Entry(uid, gid, groups.ToArray());
            if (groups.Length > 0)
            {
                // libcephfs keeps the group list without copying it: it lives as long as the UserPerm.
                entry._native = (uint*)NativeMemory.Alloc((nuint)groups.Length, sizeof(uint));
                groups.CopyTo(new Span<uint>(entry._native, groups.Length));
            }
            entry.Perm = UserPermPtr.Create(uid, gid, groups.Length, entry._native);
            if (entry.Perm.IsNull)
            {
                entry.Free();
                throw new CephException(Errno.ENOMEM, "ceph_userperm_new", $"uid {uid}, gid {gid}");
            }
            return entry;
        }

        public bool Matches(uint uid, uint gid, ReadOnlySpan<uint> groups) =>
            Uid == uid && Gid == gid && groups.SequenceEqual(_groups);

        public void Free()
        {
            Perm.Destroy();
            Perm = default;
            if (_native != null)
            {
                NativeMemory.Free(_native);
                _native = null;
            }
        }
    }
}
