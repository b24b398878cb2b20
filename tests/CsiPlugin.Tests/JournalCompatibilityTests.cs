using Csi.V1;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>The omap journal and volume IDs are ceph-csi's, byte for byte, in both directions.</summary>
[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class JournalCompatibilityTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private readonly CsiPluginProcess _plugin = fixture.Plugin;
    private static string FsName => CsiPluginProcess.Env.FsName;

    [Fact]
    public async Task OurJournalIsLaidOutAsCephCsis()
    {
        string name = "pvc-layout-" + Guid.NewGuid().ToString("N")[..8];
        var volume = await TestVolumes.CreateAsync(_plugin, name, CsiPluginProcess.GiB);
        try
        {
            Assert.True(VolumeId.TryDecode(volume.VolumeId, out var id, out _));
            using var admin = CsiPluginProcess.ConnectAdmin();
            Assert.Equal(admin.GetFileSystem(FsName).Id, id.LocationId);
            using var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi");
            var directory = io.GetOmapValues($"csi.volumes.{_plugin.InstanceId}");
            Assert.Equal(id.ObjectUuid, directory[$"csi.volume.{name}"]);
            var perVolume = io.GetOmapValues($"csi.volume.{id.ObjectUuid}");
            Assert.Equal(new Dictionary<string, string>
            {
                ["csi.volname"] = name,
                ["csi.imagename"] = "csi-vol-" + id.ObjectUuid,
            }, perVolume);
        }
        finally
        {
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
    }

    /// <summary>
    /// A volume as the Go driver leaves it (journal written by hand exactly as voljournal.go writes it, subvolume
    /// made as ceph-csi makes it): CreateVolume finds it and answers its Go-encoded ID, the node stages it from
    /// the ID alone, and DeleteVolume removes subvolume and journal.
    /// </summary>
    [Fact]
    public async Task AVolumeMadeByTheGoDriverIsOurs()
    {
        string name = "pvc-from-go-" + Guid.NewGuid().ToString("N")[..8];
        string uuid = Guid.NewGuid().ToString("D");
        string subvolume = "csi-vol-" + uuid;
        long fscid;
        using (var admin = CsiPluginProcess.ConnectAdmin())
        {
            fscid = admin.GetFileSystem(FsName).Id;
            admin.CreateSubvolumeGroup(FsName, _plugin.SubvolumeGroup);
            admin.CreateSubvolume(FsName, subvolume, new SubvolumeCreateOptions { Group = _plugin.SubvolumeGroup, Size = 512L << 20, Mode = "777" });
            using var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi");
            io.CreateObject("csi.volume." + uuid, exclusive: true);
            io.SetOmapValues($"csi.volumes.{_plugin.InstanceId}", new Dictionary<string, string> { ["csi.volume." + name] = uuid });
            io.SetOmapValues("csi.volume." + uuid, new Dictionary<string, string> { ["csi.volname"] = name, ["csi.imagename"] = subvolume });
        }
        // what ComposeCSIID prints for this cluster, fscid and uuid
        string goId = $"0001-{CsiPluginProcess.ClusterId.Length:x4}-{CsiPluginProcess.ClusterId}-{fscid:x16}-{uuid}";

        var volume = await TestVolumes.CreateAsync(_plugin, name, 512L << 20);
        Assert.Equal(goId, volume.VolumeId);
        Assert.Equal(subvolume, volume.VolumeContext["subvolumeName"]);

        // a volume context of the oldest kind: only the cluster id; the rest comes from the ID and the journal
        string staging = _plugin.NewPath("staging");
        var stage = new NodeStageVolumeRequest
        {
            VolumeId = goId,
            StagingTargetPath = staging,
            VolumeCapability = CsiPluginProcess.MountCapability(),
            VolumeContext = { ["clusterID"] = CsiPluginProcess.ClusterId },
            Secrets = { CsiPluginProcess.UserSecrets() },
        };
        try
        {
            await _plugin.Node.NodeStageVolumeAsync(stage);
            Assert.NotNull(MountInfo.Find(staging));
            Assert.Equal(512L << 20, TestVolumes.TotalBytes(await TestVolumes.StatsAsync(_plugin, goId, staging)));
        }
        finally
        {
            await TestVolumes.UnstageAsync(_plugin, goId, staging);
        }
        await TestVolumes.DeleteAsync(_plugin, goId);
        Assert.DoesNotContain(subvolume, _plugin.Subvolumes());
        using (var admin = CsiPluginProcess.ConnectAdmin())
        using (var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi"))
            Assert.DoesNotContain("csi.volume." + name, io.GetOmapValues($"csi.volumes.{_plugin.InstanceId}").Keys);
    }
}
