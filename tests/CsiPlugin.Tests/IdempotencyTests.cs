using Csi.V1;
using Grpc.Core;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Tests;

[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class IdempotencyTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private const long GiB = CsiPluginProcess.GiB;
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    [Fact]
    public async Task CreateVolumeTwiceGivesOneSubvolume()
    {
        string name = "pvc-twice-" + Guid.NewGuid().ToString("N")[..8];
        var first = await TestVolumes.CreateAsync(_plugin, name, GiB);
        var second = await TestVolumes.CreateAsync(_plugin, name, GiB);
        Assert.Equal(first.VolumeId, second.VolumeId);
        Assert.Equal(first.VolumeContext, second.VolumeContext);
        Assert.Equal(GiB, second.CapacityBytes);
        string subvolume = first.VolumeContext["subvolumeName"];
        Assert.Single(_plugin.Subvolumes(), s => s == subvolume);

        // the same name with a size the volume does not have
        var conflict = await Assert.ThrowsAsync<RpcException>(() => TestVolumes.CreateAsync(_plugin, name, 2 * GiB));
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        // shrinking is never done: the answer is the current size, the quota stays
        var expand = await _plugin.Controller.ControllerExpandVolumeAsync(new ControllerExpandVolumeRequest
        {
            VolumeId = first.VolumeId,
            CapacityRange = new CapacityRange { RequiredBytes = GiB / 2 },
            Secrets = { CsiPluginProcess.AdminSecrets() },
        });
        Assert.Equal(GiB, expand.CapacityBytes);
        using (var admin = CsiPluginProcess.ConnectAdmin())
            Assert.Equal(GiB, admin.GetSubvolumeInfo(CsiPluginProcess.Env.FsName, subvolume, _plugin.SubvolumeGroup).BytesQuota);

        await TestVolumes.DeleteAsync(_plugin, first.VolumeId);
        await TestVolumes.DeleteAsync(_plugin, first.VolumeId); // again: OK
        Assert.DoesNotContain(subvolume, _plugin.Subvolumes());
    }

    [Fact]
    public async Task VolumeWithoutCapacityAndWithANamePrefix()
    {
        string name = "pvc-noquota-" + Guid.NewGuid().ToString("N")[..8];
        var volume = await TestVolumes.CreateAsync(_plugin, name, 0, new() { ["volumeNamePrefix"] = "team-a-" });
        Assert.Equal(0, volume.CapacityBytes);
        string subvolume = volume.VolumeContext["subvolumeName"];
        Assert.StartsWith("team-a-", subvolume, StringComparison.Ordinal);
        using (var admin = CsiPluginProcess.ConnectAdmin())
            Assert.Null(admin.GetSubvolumeInfo(CsiPluginProcess.Env.FsName, subvolume, _plugin.SubvolumeGroup).BytesQuota);
        await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        Assert.DoesNotContain(subvolume, _plugin.Subvolumes());
    }

    [Fact]
    public async Task AStaleReservationIsReplaced()
    {
        string name = "pvc-stale-" + Guid.NewGuid().ToString("N")[..8];
        var volume = await TestVolumes.CreateAsync(_plugin, name, GiB);
        // the subvolume disappears behind the driver's back
        using (var admin = CsiPluginProcess.ConnectAdmin())
            admin.RemoveSubvolume(CsiPluginProcess.Env.FsName, volume.VolumeContext["subvolumeName"], _plugin.SubvolumeGroup);
        var again = await TestVolumes.CreateAsync(_plugin, name, GiB);
        Assert.NotEqual(volume.VolumeId, again.VolumeId);
        Assert.Contains(again.VolumeContext["subvolumeName"], _plugin.Subvolumes());
        Assert.True(VolumeId.TryDecode(volume.VolumeId, out var old, out _));
        using (var admin = CsiPluginProcess.ConnectAdmin())
        using (var io = admin.Cluster.OpenIoContext($"{CsiPluginProcess.Env.FsName}_metadata", "csi"))
            Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => io.GetOmapValues("csi.volume." + old.ObjectUuid)).Errno);
        // deleting the old ID is a no-op; the new volume stays
        await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        Assert.Contains(again.VolumeContext["subvolumeName"], _plugin.Subvolumes());
        await TestVolumes.DeleteAsync(_plugin, again.VolumeId);
    }

    [Fact]
    public async Task FailurePartWayUndoesTheReservation()
    {
        string name = "pvc-badpool-" + Guid.NewGuid().ToString("N")[..8];
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            TestVolumes.CreateAsync(_plugin, name, GiB, new() { ["pool"] = "no-such-pool" }));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("no-such-pool", refused.Status.Detail, StringComparison.Ordinal);
        using var admin = CsiPluginProcess.ConnectAdmin();
        using var io = admin.Cluster.OpenIoContext($"{CsiPluginProcess.Env.FsName}_metadata", "csi");
        Assert.DoesNotContain("csi.volume." + name, io.GetOmapValues("csi.volumes." + _plugin.InstanceId).Keys);
    }

    [Fact]
    public async Task MaximumLengthNameWorks()
    {
        string name = ("pvc-max-" + Guid.NewGuid().ToString("N")).PadRight(128, 'x');
        var volume = await TestVolumes.CreateAsync(_plugin, name, GiB);
        Assert.Equal(volume.VolumeId, (await TestVolumes.CreateAsync(_plugin, name, GiB)).VolumeId);
        await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        Assert.DoesNotContain(volume.VolumeContext["subvolumeName"], _plugin.Subvolumes());
    }

    [Fact]
    public async Task StagePublishUnpublishUnstageTwiceEach()
    {
        var volume = await TestVolumes.CreateAsync(_plugin, "pvc-node-twice-" + Guid.NewGuid().ToString("N")[..8], GiB);
        string staging = _plugin.NewPath("staging");
        string target = _plugin.NewPath("target");
        try
        {
            await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
            await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
            _plugin.DaemonOf(staging);
            await _plugin.Node.NodePublishVolumeAsync(CsiPluginProcess.PublishRequest(volume, staging, target));
            await _plugin.Node.NodePublishVolumeAsync(CsiPluginProcess.PublishRequest(volume, staging, target));
            Assert.Single(MountInfo.Read(), m => m.MountPoint == target);
            await TestVolumes.UnpublishAsync(_plugin, volume.VolumeId, target);
            await TestVolumes.UnpublishAsync(_plugin, volume.VolumeId, target);
            await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
            await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
            Assert.Null(MountInfo.Find(staging));
            Assert.Null(MountInfo.Find(target));
        }
        finally
        {
            await TestVolumes.UnpublishAsync(_plugin, volume.VolumeId, target);
            await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
    }

    [Fact]
    public async Task ReadOnlyPublishIsReadOnly()
    {
        var volume = await TestVolumes.CreateAsync(_plugin, "pvc-ro-" + Guid.NewGuid().ToString("N")[..8], GiB);
        string staging = _plugin.NewPath("staging");
        string target = _plugin.NewPath("target");
        try
        {
            await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
            await File.WriteAllTextAsync(Path.Combine(staging, "hello"), "hi");
            var publish = CsiPluginProcess.PublishRequest(volume, staging, target);
            publish.Readonly = true;
            await _plugin.Node.NodePublishVolumeAsync(publish);
            Assert.Equal("hi", await File.ReadAllTextAsync(Path.Combine(target, "hello")));
            Assert.Equal(Errno.EROFS, FileProbe.WriteAt(Path.Combine(target, "nope"), 0, [1]));
        }
        finally
        {
            await TestVolumes.UnpublishAsync(_plugin, volume.VolumeId, target);
            await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
    }
}
