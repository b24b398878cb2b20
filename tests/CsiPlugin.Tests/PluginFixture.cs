using System.Diagnostics;
using Csi.V1;
using ManagedCephFuse.CsiPlugin.Posix;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>One cephcsi process shared by the tests of a class.</summary>
public sealed class PluginFixture : IAsyncLifetime
{
    internal CsiPluginProcess Plugin { get; private set; } = null!;

    public async Task InitializeAsync() => Plugin = await CsiPluginProcess.StartAsync();

    public async Task DisposeAsync() => await Plugin.DisposeAsync();
}

/// <summary>Helpers the cluster tests share.</summary>
internal static class TestVolumes
{
    public static async Task<Csi.V1.Volume> CreateAsync(CsiPluginProcess plugin, string name, long bytes,
        Dictionary<string, string>? parameters = null) =>
        (await plugin.Controller.CreateVolumeAsync(CsiPluginProcess.CreateRequest(name, bytes, parameters))).Volume;

    /// <summary>CreateVolume as the external-provisioner calls it: again after each Aborted (a copy in progress), for up to a minute.</summary>
    public static async Task<Csi.V1.Volume> CreateRetryingAsync(CsiPluginProcess plugin, CreateVolumeRequest request)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return (await plugin.Controller.CreateVolumeAsync(request)).Volume;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Aborted && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>A CreateVolume request that copies <paramref name="source"/> (a snapshot or a volume).</summary>
    public static CreateVolumeRequest FromSource(string name, long bytes, VolumeContentSource source, Dictionary<string, string>? parameters = null)
    {
        var request = CsiPluginProcess.CreateRequest(name, bytes, parameters);
        request.VolumeContentSource = source;
        return request;
    }

    public static VolumeContentSource SnapshotSource(string snapshotId) => new() { Snapshot = new() { SnapshotId = snapshotId } };

    public static VolumeContentSource VolumeSource(string volumeId) => new() { Volume = new() { VolumeId = volumeId } };

    public static async Task<Snapshot> SnapshotAsync(CsiPluginProcess plugin, string name, string sourceVolumeId) =>
        (await plugin.Controller.CreateSnapshotAsync(new CreateSnapshotRequest
        {
            Name = name,
            SourceVolumeId = sourceVolumeId,
            Parameters = { ["clusterID"] = CsiPluginProcess.ClusterId },
            Secrets = { CsiPluginProcess.AdminSecrets() },
        })).Snapshot;

    public static Task DeleteSnapshotAsync(CsiPluginProcess plugin, string snapshotId) =>
        plugin.Controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId, Secrets = { CsiPluginProcess.AdminSecrets() } }).ResponseAsync;

    public static Task DeleteAsync(CsiPluginProcess plugin, string volumeId) =>
        plugin.Controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volumeId, Secrets = { CsiPluginProcess.AdminSecrets() } }).ResponseAsync;

    public static Task UnpublishAsync(CsiPluginProcess plugin, string volumeId, string target) =>
        plugin.Node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = volumeId, TargetPath = target }).ResponseAsync;

    public static Task UnstageAsync(CsiPluginProcess plugin, string volumeId, string staging) =>
        plugin.Node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = volumeId, StagingTargetPath = staging }).ResponseAsync;

    public static async Task<NodeGetVolumeStatsResponse> StatsAsync(CsiPluginProcess plugin, string volumeId, string path) =>
        await plugin.Node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = volumeId, VolumePath = path });

    public static long TotalBytes(NodeGetVolumeStatsResponse stats) =>
        stats.Usage.Single(u => u.Unit == VolumeUsage.Types.Unit.Bytes).Total;

    /// <summary>The errno of stat(2) on <paramref name="path"/> (0 when it works).</summary>
    public static int StatErrno(string path) => LibC.StatErrno(path);

    public static async Task<T> WithinAsync<T>(TimeSpan limit, Func<Task<T?>> probe) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (clock.Elapsed > limit)
                throw new TimeoutException($"condition not met within {limit}");
            await Task.Delay(100);
        }
    }
}
