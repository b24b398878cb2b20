namespace ManagedCephFuse.CephClient.Admin;

/// <summary>One entry of <c>fs ls</c>.</summary>
public sealed record FileSystemEntry(
    string Name, string MetadataPool, long MetadataPoolId, IReadOnlyList<string> DataPools, IReadOnlyList<long> DataPoolIds);

/// <summary>A file system as <c>fs get</c> / <c>fs dump</c> show it: its id (fscid) and pools.</summary>
public sealed record FileSystemInfo(long Id, string Name, long MetadataPoolId, IReadOnlyList<long> DataPoolIds);

/// <summary><c>fs dump</c>: the FSMap epoch, the default fscid and every file system.</summary>
public sealed record FileSystemMap(long Epoch, long DefaultFscid, IReadOnlyList<FileSystemInfo> FileSystems);

/// <summary>Options of <c>fs subvolume create</c>.</summary>
public sealed record SubvolumeCreateOptions
{
    /// <summary>The subvolume group; null is the default group (<c>_nogroup</c>).</summary>
    public string? Group { get; init; }

    /// <summary>The quota in bytes; null creates the subvolume without a quota.</summary>
    public long? Size { get; init; }

    /// <summary>Octal mode as text, e.g. <c>777</c>; null keeps the mgr's default (755).</summary>
    public string? Mode { get; init; }

    /// <summary>A data pool for the subvolume's layout; null inherits the file system's.</summary>
    public string? PoolLayout { get; init; }

    public long? Uid { get; init; }
    public long? Gid { get; init; }

    /// <summary>Put the subvolume's data in its own RADOS namespace.</summary>
    public bool NamespaceIsolated { get; init; }
}

/// <summary><c>fs subvolume info</c>.</summary>
public sealed record SubvolumeInfo(
    string Path,
    long? BytesQuota,
    long BytesUsed,
    string DataPool,
    string PoolNamespace,
    int Mode,
    long Uid,
    long Gid,
    string State,
    string Type,
    string CreatedAt,
    IReadOnlyList<string> MonAddresses,
    IReadOnlyList<string> Features);

/// <summary>What <c>fs subvolume resize</c> reports after resizing; a null quota means unlimited.</summary>
public sealed record SubvolumeResizeResult(long BytesUsed, long? BytesQuota);

/// <summary>
/// <c>fs subvolume snapshot info</c>: <see cref="CreatedAt"/> as the mgr prints it (<c>2024-01-02 03:04:05.123456</c>,
/// UTC), the clones still copying from it (Pacific lists their names), and a size where the mgr reports one.
/// </summary>
public sealed record SubvolumeSnapshotInfo(string CreatedAt, string DataPool, bool HasPendingClones, long? Size,
    IReadOnlyList<string> PendingClones);

/// <summary>Options of <c>fs subvolume snapshot clone</c>.</summary>
public sealed record CloneOptions
{
    /// <summary>The source subvolume's group; null is the default group.</summary>
    public string? Group { get; init; }

    /// <summary>The group the clone is made in; null is the default group.</summary>
    public string? TargetGroup { get; init; }

    /// <summary>A data pool for the clone's layout; null inherits.</summary>
    public string? PoolLayout { get; init; }
}

/// <summary>The states <c>fs clone status</c> reports.</summary>
public enum CloneState
{
    Unknown,
    Pending,
    InProgress,
    Complete,
    Failed,
    Canceled,
}

/// <summary><c>fs clone status</c>: the state, the source (while the clone is not complete) and a failure.</summary>
public sealed record CloneStatus(
    CloneState State,
    string? SourceVolume,
    string? SourceSubvolume,
    string? SourceSnapshot,
    string? SourceGroup,
    int? FailureErrno,
    string? FailureMessage);
