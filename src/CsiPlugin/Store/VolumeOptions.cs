using ManagedCephFuse.CsiPlugin.Config;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>
/// Everything one operation needs to know about a volume: where its cluster is, which file system, group
/// and subvolume, and how to mount it. Built from CreateVolume's StorageClass parameters, from a volume
/// context on the node, or from a static volume's context (ceph-csi's <c>store.VolumeOptions</c>).
/// </summary>
internal sealed class VolumeOptions
{
    // StorageClass parameters and volume-context keys, as ceph-csi names them
    public const string ClusterIdKey = "clusterID";
    public const string FsNameKey = "fsName";
    public const string PoolKey = "pool";
    public const string MounterKey = "mounter";
    public const string FuseMountOptionsKey = "fuseMountOptions";
    public const string KernelMountOptionsKey = "kernelMountOptions";
    public const string NamePrefixKey = "volumeNamePrefix";
    public const string SubvolumeNameKey = "subvolumeName";
    public const string SubvolumePathKey = "subvolumePath";
    public const string StaticVolumeKey = "staticVolume";
    public const string RootPathKey = "rootPath";
    public const string BackingSnapshotKey = "backingSnapshot";
    public const string SnapshotNamePrefixKey = "snapshotNamePrefix";
    public const string FuseMounter = "fuse";
    public const string KernelMounter = "kernel";

    public required string ClusterId { get; init; }
    public required IReadOnlyList<string> Monitors { get; init; }
    public string FsName { get; set; } = "";
    public required string SubvolumeGroup { get; init; }
    public string? Pool { get; init; }
    public string Mounter { get; init; } = FuseMounter;
    public string FuseMountOptions { get; init; } = "";
    public string KernelMountOptions { get; init; } = "";
    public string NamePrefix { get; init; } = JournalLayout.Volumes.DefaultNamePrefix;
    public string SubvolumeName { get; set; } = "";
    public string RootPath { get; set; } = "";
    public bool IsStatic { get; init; }
    /// <summary><c>backingSnapshot: "true"</c>: a read-only volume that shows a snapshot instead of a copy of it.</summary>
    public bool BackingSnapshot { get; init; }
    /// <summary>Node side, for a snapshot-backed volume: the snapshot's directory under <see cref="RootPath"/> (<c>.snap/&lt;name&gt;/&lt;uuid&gt;</c>).</summary>
    public string SnapshotRoot { get; set; } = "";
    /// <summary>For a dynamic volume on the node: the decoded ID (to look up what the context lacks).</summary>
    public VolumeId? DecodedId { get; init; }

    /// <summary>The monitors as <c>-m</c> and <c>mon_host</c> take them.</summary>
    public string MonitorList => string.Join(',', Monitors);

    /// <summary>CreateVolume: <c>clusterID</c> and <c>fsName</c> are required; the rest is optional.</summary>
    public static VolumeOptions FromCreateParameters(IReadOnlyDictionary<string, string> parameters, ClusterConfig config)
    {
        string clusterId = Required(parameters, ClusterIdKey);
        string fsName = Required(parameters, FsNameKey);
        var cluster = config.Get(clusterId);
        return new VolumeOptions
        {
            ClusterId = clusterId,
            Monitors = cluster.Monitors,
            FsName = fsName,
            SubvolumeGroup = cluster.CephFs.SubvolumeGroup,
            Pool = Optional(parameters, PoolKey),
            Mounter = ParseMounter(parameters),
            FuseMountOptions = Optional(parameters, FuseMountOptionsKey) ?? cluster.CephFs.FuseMountOptions,
            KernelMountOptions = Optional(parameters, KernelMountOptionsKey) ?? cluster.CephFs.KernelMountOptions,
            NamePrefix = Optional(parameters, NamePrefixKey) ?? JournalLayout.Volumes.DefaultNamePrefix,
            BackingSnapshot = Flag(parameters, BackingSnapshotKey),
        };
    }

    /// <summary>
    /// Node side: a static volume (<c>staticVolume: "true"</c> with <c>rootPath</c>) or a provisioned one whose
    /// context (or, failing that, whose ceph-csi volume ID) says where it lives.
    /// </summary>
    public static VolumeOptions FromVolumeContext(string volumeId, IReadOnlyDictionary<string, string> context,
        ClusterConfig config)
    {
        if (Flag(context, StaticVolumeKey))
        {
            string clusterId = Required(context, ClusterIdKey);
            string rootPath = Required(context, RootPathKey);
            var staticCluster = config.Get(clusterId);
            return new VolumeOptions
            {
                ClusterId = clusterId,
                Monitors = staticCluster.Monitors,
                FsName = Optional(context, FsNameKey) ?? "",
                SubvolumeGroup = staticCluster.CephFs.SubvolumeGroup,
                Mounter = ParseMounter(context),
                FuseMountOptions = Optional(context, FuseMountOptionsKey) ?? staticCluster.CephFs.FuseMountOptions,
                KernelMountOptions = Optional(context, KernelMountOptionsKey) ?? staticCluster.CephFs.KernelMountOptions,
                RootPath = rootPath,
                IsStatic = true,
            };
        }
        if (!VolumeId.TryDecode(volumeId, out var decoded, out string error))
            throw CoreException.NotFound($"volume {volumeId}: {error}, and the volume context has no staticVolume=\"true\"");
        string cluster = Optional(context, ClusterIdKey) ?? decoded.ClusterId;
        var info = config.Get(cluster);
        return new VolumeOptions
        {
            ClusterId = cluster,
            Monitors = info.Monitors,
            FsName = Optional(context, FsNameKey) ?? "",
            SubvolumeGroup = info.CephFs.SubvolumeGroup,
            Mounter = ParseMounter(context),
            FuseMountOptions = Optional(context, FuseMountOptionsKey) ?? info.CephFs.FuseMountOptions,
            KernelMountOptions = Optional(context, KernelMountOptionsKey) ?? info.CephFs.KernelMountOptions,
            SubvolumeName = Optional(context, SubvolumeNameKey) ?? "",
            RootPath = Optional(context, SubvolumePathKey) ?? "",
            BackingSnapshot = Flag(context, BackingSnapshotKey),
            DecodedId = decoded,
        };
    }

    /// <summary>The volume context CreateVolume returns: the parameters (less the CO's own) plus the subvolume.</summary>
    public static Dictionary<string, string> BuildVolumeContext(IReadOnlyDictionary<string, string> parameters,
        string subvolumeName, string subvolumePath)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            if (!key.StartsWith("csi.storage.k8s.io/", StringComparison.Ordinal))
                context[key] = value;
        }
        context[SubvolumeNameKey] = subvolumeName;
        context[SubvolumePathKey] = subvolumePath;
        return context;
    }

    private static string ParseMounter(IReadOnlyDictionary<string, string> values) => Optional(values, MounterKey) switch
    {
        null or FuseMounter => FuseMounter,
        KernelMounter => KernelMounter,
        var other => throw CoreException.InvalidInput($"unknown mounter '{other}' (use \"fuse\" or \"kernel\")"),
    };

    /// <summary>The snapshot name prefix of a VolumeSnapshotClass (<c>snapshotNamePrefix</c>, default <c>csi-snap-</c>).</summary>
    public static string SnapshotNamePrefix(IReadOnlyDictionary<string, string> parameters) =>
        Optional(parameters, SnapshotNamePrefixKey) ?? JournalLayout.Snapshots.DefaultNamePrefix;

    /// <summary>A "true"/"false" parameter; absent is false, anything else an invalid input.</summary>
    private static bool Flag(IReadOnlyDictionary<string, string> values, string key) => Optional(values, key) switch
    {
        null => false,
        var text when bool.TryParse(text, out bool value) => value,
        var other => throw CoreException.InvalidInput($"parameter {key}: '{other}' is neither \"true\" nor \"false\""),
    };

    private static string Required(IReadOnlyDictionary<string, string> values, string key) =>
        Optional(values, key) ?? throw CoreException.InvalidInput($"missing required parameter {key}");

    private static string? Optional(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
