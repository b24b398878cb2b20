using Csi.V1;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Mounter;

namespace ManagedCephFuse.CsiPlugin.Tests;

[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class StaticVolumeTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    [Fact]
    public async Task StaticVolumeStagesFromItsRootPath()
    {
        var env = CsiPluginProcess.Env;
        string subvolume = "static-" + Guid.NewGuid().ToString("N")[..8];
        string path;
        using (var admin = CsiPluginProcess.ConnectAdmin())
        {
            admin.CreateSubvolumeGroup(env.FsName, _plugin.SubvolumeGroup);
            admin.CreateSubvolume(env.FsName, subvolume, new SubvolumeCreateOptions { Group = _plugin.SubvolumeGroup, Size = 256L << 20, Mode = "777" });
            path = admin.GetSubvolumePath(env.FsName, subvolume, _plugin.SubvolumeGroup);
        }
        string volumeId = "static-pv-" + subvolume; // any handle: static volumes are named by their PV
        string staging = _plugin.NewPath("staging");
        string target = _plugin.NewPath("target");
        var stage = new NodeStageVolumeRequest
        {
            VolumeId = volumeId,
            StagingTargetPath = staging,
            VolumeCapability = CsiPluginProcess.MountCapability(),
            VolumeContext = { ["staticVolume"] = "true", ["rootPath"] = path, ["clusterID"] = CsiPluginProcess.ClusterId, ["fsName"] = env.FsName },
            Secrets = { CsiPluginProcess.UserSecrets() },
        };
        try
        {
            await _plugin.Node.NodeStageVolumeAsync(stage);
            await _plugin.Node.NodePublishVolumeAsync(new NodePublishVolumeRequest
            {
                VolumeId = volumeId,
                StagingTargetPath = staging,
                TargetPath = target,
                VolumeCapability = CsiPluginProcess.MountCapability(),
                VolumeContext = { stage.VolumeContext },
            });
            await File.WriteAllTextAsync(Path.Combine(target, "static.txt"), "static volume");
            Assert.Equal(256L << 20, TestVolumes.TotalBytes(await TestVolumes.StatsAsync(_plugin, volumeId, target)));
        }
        finally
        {
            await TestVolumes.UnpublishAsync(_plugin, volumeId, target);
            await TestVolumes.UnstageAsync(_plugin, volumeId, staging);
            using var admin = CsiPluginProcess.ConnectAdmin();
            admin.RemoveSubvolume(env.FsName, subvolume, _plugin.SubvolumeGroup, force: true);
        }
        Assert.Null(MountInfo.Find(staging));
    }
}
