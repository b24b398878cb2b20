namespace ManagedCephFuse.FuseFs.Memory;

/// <summary>Tuning of the in-memory file system.</summary>
internal sealed class MemoryFileSystemOptions
{
    /// <summary>
    /// How long the kernel may cache names (all changes go through this mount, so caching is coherent). Without
    /// default_permissions keep it 0: the kernel does not re-check search permission on cached names.
    /// </summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the kernel may cache attributes.</summary>
    public TimeSpan AttrTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Check permissions here (the mount has no default_permissions). With default_permissions the kernel checks
    /// from the mode bits and this must be false.
    /// </summary>
    public bool CheckPermissions { get; init; } = true;

    /// <summary>The size statfs reports.</summary>
    public long CapacityBytes { get; init; } = 64L << 30;

    /// <summary>The inode count statfs reports as the total.</summary>
    public long MaxInodes { get; init; } = 1 << 24;

    /// <summary>The root directory's permission bits and owner.</summary>
    public uint RootMode { get; init; } = 0x1ED; // 0755

    public uint RootUid { get; init; }

    public uint RootGid { get; init; }
}
