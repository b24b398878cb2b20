using Grpc.Core;
using ManagedCephFuse.CsiPlugin.Mounter;

namespace ManagedCephFuse.CsiPlugin.Tests;

[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class KernelMounterTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    /// <summary>
    /// mounter=kernel: where the kernel has ceph the volume mounts with mount -t ceph; where it has not (this
    /// machine) NodeStage is refused with FailedPrecondition, leaving no mount and no key file.
    /// </summary>
    [Fact]
    public async Task KernelMounterMountsOrIsRefusedClearly()
    {
        bool kernelHasCeph = File.ReadLines("/proc/filesystems").Any(l => l.EndsWith("\tceph", StringComparison.Ordinal));
        var volume = await TestVolumes.CreateAsync(_plugin, "pvc-kernel-" + Guid.NewGuid().ToString("N")[..8], CsiPluginProcess.GiB,
            new() { ["mounter"] = "kernel" });
        Assert.Equal("kernel", volume.VolumeContext["mounter"]);
        string staging = _plugin.NewPath("staging");
        try
        {
            if (kernelHasCeph)
            {
                await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
                Assert.Equal("ceph", MountInfo.Find(staging)?.FsType);
            }
            else
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() =>
                    _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging)).ResponseAsync);
                Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
                Assert.Contains("kernel mounter is not available", refused.Status.Detail, StringComparison.Ordinal);
                Assert.Contains("ceph filesystem not supported", refused.Status.Detail, StringComparison.Ordinal);
                Assert.Null(MountInfo.Find(staging));
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(_plugin.KeysDirectory));
        }
        finally
        {
            await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
    }
}
