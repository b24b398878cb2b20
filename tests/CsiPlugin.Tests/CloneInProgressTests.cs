using Grpc.Core;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>
/// A restore whose clone is still copying: CreateVolume answers Aborted (the provisioner retries), DeleteSnapshot
/// refuses with FailedPrecondition naming the pending clone, and a later retry completes. The mgr is made to hold
/// every clone back for a while (<c>mgr/volumes/snapshot_clone_delay</c>), a cluster-wide setting: runs alone.
/// </summary>
[Collection(nameof(RunsAlone))]
[Trait("Category", "Cluster")]
public sealed class CloneInProgressTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    [Fact]
    public async Task ACloneInProgressIsAbortedThenCompletedOnRetry()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        var source = await TestVolumes.CreateAsync(_plugin, "pvc-slow-src-" + tag, CsiPluginProcess.GiB);
        var snapshot = await TestVolumes.SnapshotAsync(_plugin, "snap-slow-" + tag, source.VolumeId);
        var request = TestVolumes.FromSource("pvc-slow-" + tag, CsiPluginProcess.GiB, TestVolumes.SnapshotSource(snapshot.SnapshotId));
        SetCloneDelay(8);
        try
        {
            var aborted = await Assert.ThrowsAsync<RpcException>(() => _plugin.Controller.CreateVolumeAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.Aborted, aborted.StatusCode);
            Assert.Matches("pending|in progress", aborted.Status.Detail);
            string uuid = _plugin.JournalDirectory("csi.volumes.")["csi.volume.pvc-slow-" + tag];

            var refused = await Assert.ThrowsAsync<RpcException>(() => TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("csi-vol-" + uuid, refused.Status.Detail, StringComparison.Ordinal);

            var volume = await TestVolumes.CreateRetryingAsync(_plugin, request);
            Assert.EndsWith(uuid, volume.VolumeId, StringComparison.Ordinal);
            Assert.Equal(CsiPluginProcess.GiB, volume.CapacityBytes);
            await TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId);
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
        finally
        {
            SetCloneDelay(0);
        }
        await TestVolumes.DeleteAsync(_plugin, source.VolumeId);
        Assert.Empty(_plugin.Subvolumes());
    }

    private static void SetCloneDelay(int seconds)
    {
        using var admin = CsiPluginProcess.ConnectAdmin();
        admin.Cluster.MonCommand($"{{\"prefix\": \"config set\", \"who\": \"mgr\", \"name\": \"mgr/volumes/snapshot_clone_delay\", \"value\": \"{seconds}\"}}");
    }
}
