namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>How the CephFS file system serves the kernel (decided from the command line and ceph options).</summary>
internal sealed class CephFsOptions
{
    /// <summary>
    /// How long the kernel may trust a name (LOOKUP). Changes made through this mount are seen at once; another
    /// client's unlink is pushed (NOTIFY_DELETE); another client's rename is seen once this expires.
    /// </summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the kernel may trust attributes. Another client's writes and truncations are pushed
    /// (NOTIFY_INVAL_INODE on cap revocation); another client's chmod/chown/utimes is seen once this expires.
    /// </summary>
    public TimeSpan AttrTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The kernel checks permissions from cached attributes (and ACLs) before a request reaches us, which makes
    /// cached names safe (libcephfs checks again with the caller's UserPerm). Off (fuse_default_permissions=false,
    /// ceph-fuse's default) leaves checks to libcephfs only, and then names are never cached.
    /// </summary>
    public bool DefaultPermissions { get; init; } = true;

    /// <summary>client_acl_type=posix_acl: POSIX ACLs enforced (by the kernel) and inherited (by libcephfs).</summary>
    public bool PosixAcl { get; init; }

    /// <summary>fuse_set_user_groups: pass the caller's supplementary groups to libcephfs's permission checks.</summary>
    public bool SupplementaryGroups { get; init; } = true;

    /// <summary>fuse_disable_pagecache: every open file bypasses the kernel's page cache (FOPEN_DIRECT_IO).</summary>
    public bool DisablePageCache { get; init; }

    /// <summary>-o writeback_cache: the kernel buffers writes (other clients see them only after write-back).</summary>
    public bool WritebackCache { get; init; }

    /// <summary>client_cache_size: above this many kernel-held nodes, idle ones are pruned (0: never).</summary>
    public int CacheSize { get; init; } = 16384;
}
