using System.Diagnostics;
using Csi.V1;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Processes;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>The whole life of a volume through a real cephcsi, the real cluster and real FUSE mounts.</summary>
[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class VolumeLifecycleTests : IAsyncLifetime
{
    private const long GiB = CsiPluginProcess.GiB;
    private CsiPluginProcess _plugin = null!;

    public async Task InitializeAsync() => _plugin = await CsiPluginProcess.StartAsync();

    public async Task DisposeAsync() => await _plugin.DisposeAsync();

    [Fact]
    public async Task WholeLifeOfAVolume()
    {
        // CreateVolume 1 GiB → a subvolume with that quota
        var created = await _plugin.Controller.CreateVolumeAsync(CsiPluginProcess.CreateRequest("pvc-lifecycle", GiB));
        var volume = created.Volume;
        Assert.Equal(GiB, volume.CapacityBytes);
        Assert.True(ManagedCephFuse.CsiPlugin.Store.VolumeId.TryDecode(volume.VolumeId, out var id, out _), volume.VolumeId);
        Assert.Equal(CsiPluginProcess.ClusterId, id.ClusterId);
        string subvolume = volume.VolumeContext["subvolumeName"];
        Assert.StartsWith("csi-vol-", subvolume, StringComparison.Ordinal);
        Assert.EndsWith(id.ObjectUuid, subvolume, StringComparison.Ordinal);
        Assert.StartsWith($"/volumes/{_plugin.SubvolumeGroup}/{subvolume}/", volume.VolumeContext["subvolumePath"], StringComparison.Ordinal);
        Assert.Equal(CsiPluginProcess.Env.FsName, volume.VolumeContext["fsName"]);
        Assert.Contains(subvolume, _plugin.Subvolumes());

        // NodeStage with the fuse mounter → a live daemon and a mount
        string staging = _plugin.NewPath("staging");
        string target = Path.Combine(_plugin.NewPath("pod"), "mount");
        await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
        var stagedMount = MountInfo.Find(staging);
        Assert.NotNull(stagedMount);
        Assert.StartsWith("fuse", stagedMount.FsType, StringComparison.Ordinal);
        int daemon = Assert.Single(_plugin.DaemonsUnderDirectory());
        Assert.True(DaemonReaper.IsAlive(daemon));
        Assert.Equal("777", Convert.ToString((int)File.GetUnixFileMode(staging), 8));

        // NodePublish → a bind mount; write through the target, read through the staging path
        await _plugin.Node.NodePublishVolumeAsync(CsiPluginProcess.PublishRequest(volume, staging, target));
        Assert.NotNull(MountInfo.Find(target));
        byte[] data = new byte[4 << 20];
        Random.Shared.NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(target, "data.bin"), data);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(staging, "data.bin")));

        // stats report the 1 GiB quota
        var stats = await _plugin.Node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = volume.VolumeId, VolumePath = target });
        Assert.False(stats.VolumeCondition.Abnormal);
        var bytes = Assert.Single(stats.Usage, u => u.Unit == VolumeUsage.Types.Unit.Bytes);
        Assert.Equal(GiB, bytes.Total);
        Assert.True(bytes.Available <= bytes.Total && bytes.Used >= 0, $"{bytes}");
        Assert.Single(stats.Usage, u => u.Unit == VolumeUsage.Types.Unit.Inodes);

        // writing past the 1 GiB quota fails with EDQUOT
        Assert.Equal(Errno.EDQUOT, FileProbe.WriteAt(Path.Combine(target, "sparse.bin"), GiB + (64 << 20), [1]));

        // ControllerExpandVolume 2 GiB → the mount's statfs follows
        var expanded = await _plugin.Controller.ControllerExpandVolumeAsync(new ControllerExpandVolumeRequest
        {
            VolumeId = volume.VolumeId,
            CapacityRange = new CapacityRange { RequiredBytes = 2 * GiB },
            Secrets = { CsiPluginProcess.AdminSecrets() },
        });
        Assert.Equal(2 * GiB, expanded.CapacityBytes);
        Assert.False(expanded.NodeExpansionRequired);
        Assert.Equal(2 * GiB, await WaitForTotalAsync(volume.VolumeId, target, 2 * GiB));

        // within the new quota a write succeeds; past it, EDQUOT
        Assert.Equal(0, FileProbe.WriteAt(Path.Combine(target, "grown.bin"), GiB + (64 << 20), [1]));
        Assert.Equal(Errno.EDQUOT, FileProbe.WriteAt(Path.Combine(target, "over.bin"), 2 * GiB + (64 << 20), [1]));

        // NodeUnpublish → the target is unmounted and removed
        await _plugin.Node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = target });
        Assert.Null(MountInfo.Find(target));
        Assert.False(Directory.Exists(target));

        // NodeUnstage → no mount, the daemon exited and was reaped
        await _plugin.Node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        Assert.Null(MountInfo.Find(staging));
        Assert.False(Directory.Exists($"/proc/{daemon}"), $"daemon {daemon} still exists (not reaped)");
        Assert.Empty(_plugin.DaemonsUnderDirectory());

        // DeleteVolume → the subvolume and its journal entries are gone
        await _plugin.Controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volume.VolumeId, Secrets = { CsiPluginProcess.AdminSecrets() } });
        Assert.DoesNotContain(subvolume, _plugin.Subvolumes());
        using (var admin = CsiPluginProcess.ConnectAdmin())
        using (var io = admin.Cluster.OpenIoContext($"{CsiPluginProcess.Env.FsName}_metadata", "csi"))
        {
            Assert.Empty(io.GetOmapValues("csi.volumes." + _plugin.InstanceId, "csi.volume."));
            Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => io.GetOmapValues("csi.volume." + id.ObjectUuid)).Errno);
        }

        // no key file left behind, and no secret in the plugin's log
        Assert.Empty(Directory.EnumerateFileSystemEntries(_plugin.KeysDirectory));
        string log = _plugin.Log;
        Assert.DoesNotContain(CsiPluginProcess.AdminSecrets()["adminKey"], log, StringComparison.Ordinal);
        Assert.DoesNotContain(CsiPluginProcess.UserSecrets()["userKey"], log, StringComparison.Ordinal);
        Assert.Contains("/csi.v1.Node/NodeStageVolume", log, StringComparison.Ordinal);
    }

    private async Task<long> WaitForTotalAsync(string volumeId, string path, long expected)
    {
        var clock = Stopwatch.StartNew();
        long total = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var stats = await _plugin.Node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = volumeId, VolumePath = path });
            total = stats.Usage.Single(u => u.Unit == VolumeUsage.Types.Unit.Bytes).Total;
            if (total == expected)
                return total;
            await Task.Delay(250);
        }
        return total;
    }
}
