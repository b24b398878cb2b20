using System.Text.Json;
using System.Text.Json.Serialization;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Config;

/// <summary>One entry of ceph-csi's config.json: a cluster id, its monitors and CephFS settings.</summary>
internal sealed class ClusterInfo
{
    [JsonPropertyName("clusterID")] public string ClusterId { get; set; } = "";
    [JsonPropertyName("monitors")] public List<string> Monitors { get; set; } = [];
    [JsonPropertyName("cephFS")] public CephFsSettings CephFs { get; set; } = new();
}

internal sealed class CephFsSettings
{
    [JsonPropertyName("subvolumeGroup")] public string SubvolumeGroup { get; set; } = "";
    [JsonPropertyName("kernelMountOptions")] public string KernelMountOptions { get; set; } = "";
    [JsonPropertyName("fuseMountOptions")] public string FuseMountOptions { get; set; } = "";
}

[JsonSerializable(typeof(List<ClusterInfo>))]
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
internal sealed partial class ClusterConfigJsonContext : JsonSerializerContext;

/// <summary>
/// ceph-csi's <c>config.json</c> (<c>[{"clusterID": …, "monitors": […], "cephFS": {"subvolumeGroup": …}}]</c>),
/// read on every look-up so an updated ConfigMap takes effect without a restart.
/// </summary>
internal sealed class ClusterConfig(string path)
{
    public const string DefaultSubvolumeGroup = "csi";

    public string Path { get; } = path;

    /// <summary>The cluster's entry; an invalid input (or, for an unreadable file, a precondition failure) with the reason when the file or the id is unusable.</summary>
    public ClusterInfo Get(string clusterId)
    {
        if (string.IsNullOrEmpty(clusterId))
            throw CoreException.InvalidInput("clusterID is empty");
        List<ClusterInfo> clusters;
        try
        {
            using var stream = File.OpenRead(Path);
            clusters = JsonSerializer.Deserialize(stream, ClusterConfigJsonContext.Default.ListClusterInfo) ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CoreException.Precondition($"cannot read the cluster config {Path}: {e.Message}");
        }
        catch (JsonException e)
        {
            throw CoreException.Precondition($"the cluster config {Path} is not valid JSON: {e.Message}");
        }
        var cluster = clusters.Find(c => c.ClusterId == clusterId)
            ?? throw CoreException.InvalidInput($"clusterID {clusterId} is not in {Path}");
        if (cluster.Monitors.Count == 0)
            throw CoreException.InvalidInput($"clusterID {clusterId} has no monitors in {Path}");
        if (string.IsNullOrEmpty(cluster.CephFs.SubvolumeGroup))
            cluster.CephFs.SubvolumeGroup = DefaultSubvolumeGroup;
        return cluster;
    }
}
