using Csi.V1;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Posix;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>
/// Recovery after kill -9 of a fuse daemon. Runs alone (its own collection, not in parallel): until the MDS
/// declares the killed client stale, every client that needs the caps it held waits — the mgr volumes
/// module included — and other tests' controller calls would stall behind it.
/// </summary>
[Collection(nameof(RunsAlone))]
[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class RecoveryTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    [Fact]
    public async Task KilledDaemonIsRemountedByTheNextStageAndPublish()
    {
        var volume = await TestVolumes.CreateAsync(_plugin, "pvc-recover-" + Guid.NewGuid().ToString("N")[..8], CsiPluginProcess.GiB);
        string staging = _plugin.NewPath("staging");
        string target = _plugin.NewPath("target");
        // A new mount waits until the MDS declares the killed client stale (session_timeout, default 60 s): use the
        // smallest allowed value while this test runs.
        SetSessionTimeout(30);
        try
        {
            await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
            await _plugin.Node.NodePublishVolumeAsync(CsiPluginProcess.PublishRequest(volume, staging, target));
            // fsync'ed: what a daemon killed with -9 had only in its cache is lost, as with any crash
            Assert.Equal(0, FileProbe.WriteAt(Path.Combine(target, "before.txt"), 0, "written before the crash"u8));
            int daemon = DaemonOf(staging);

            Assert.Equal(0, LibC.Kill(daemon, 9));
            await TestVolumes.WithinAsync(TimeSpan.FromSeconds(10), () =>
                Task.FromResult<object?>(TestVolumes.StatErrno(target) == Errno.ENOTCONN ? new object() : null));
            var broken = await TestVolumes.StatsAsync(_plugin, volume.VolumeId, target);
            Assert.True(broken.VolumeCondition.Abnormal);
            Assert.Contains("ENOTCONN", broken.VolumeCondition.Message, StringComparison.Ordinal);
            Assert.Empty(broken.Usage);

            // kubelet's next NodeStage re-mounts the staging path with a new daemon
            await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
            int second = DaemonOf(staging);
            Assert.NotEqual(daemon, second);
            Assert.False(Directory.Exists($"/proc/{daemon}"), "the killed daemon was not reaped");
            Assert.Equal("written before the crash", await File.ReadAllTextAsync(Path.Combine(staging, "before.txt")));
            // … and NodePublish replaces the target's dead bind mount
            Assert.Equal(Errno.ENOTCONN, TestVolumes.StatErrno(target));
            await _plugin.Node.NodePublishVolumeAsync(CsiPluginProcess.PublishRequest(volume, staging, target));
            Assert.Equal("written before the crash", await File.ReadAllTextAsync(Path.Combine(target, "before.txt")));
            Assert.False((await TestVolumes.StatsAsync(_plugin, volume.VolumeId, target)).VolumeCondition.Abnormal);

            // a crash followed by NodePublish alone: publish restages from what the last stage recorded
            Assert.Equal(0, LibC.Kill(second, 9));
            await TestVolumes.WithinAsync(TimeSpan.FromSeconds(10), () =>
                Task.FromResult<object?>(TestVolumes.StatErrno(staging) == Errno.ENOTCONN ? new object() : null));
            await _plugin.Node.NodePublishVolumeAsync(CsiPluginProcess.PublishRequest(volume, staging, target));
            Assert.NotEqual(second, DaemonOf(staging));
            Assert.Equal("written before the crash", await File.ReadAllTextAsync(Path.Combine(target, "before.txt")));
        }
        finally
        {
            try
            {
                await TestVolumes.UnpublishAsync(_plugin, volume.VolumeId, target);
                await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
                await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
            }
            finally
            {
                SetSessionTimeout(60);
            }
        }
        Assert.DoesNotContain(_plugin.Daemons(), d => d.MountPoint == staging);
    }

    private static void SetSessionTimeout(int seconds)
    {
        using var admin = CsiPluginProcess.ConnectAdmin();
        admin.Cluster.MonCommand($"{{\"prefix\": \"fs set\", \"fs_name\": \"{CsiPluginProcess.Env.FsName}\", \"var\": \"session_timeout\", \"val\": \"{seconds}\"}}");
    }

    private int DaemonOf(string staging) => _plugin.DaemonOf(staging);
}

[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
