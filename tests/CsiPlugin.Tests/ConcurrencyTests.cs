using Grpc.Core;

namespace ManagedCephFuse.CsiPlugin.Tests;

[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class ConcurrencyTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    [Fact]
    public async Task ConcurrentCreatesOfOneNameAreAbortedButOne()
    {
        string name = "pvc-race-" + Guid.NewGuid().ToString("N")[..8];
        var attempts = Enumerable.Range(0, 4)
            .Select(_ => Outcome(TestVolumes.CreateAsync(_plugin, name, CsiPluginProcess.GiB)))
            .ToList();
        var outcomes = await Task.WhenAll(attempts);
        var aborted = outcomes.Where(o => o.Error?.StatusCode == StatusCode.Aborted).ToList();
        Assert.NotEmpty(aborted);
        Assert.All(aborted, o => Assert.Equal($"an operation with the given Volume ID {name} already exists", o.Error!.Status.Detail));
        var succeeded = outcomes.Where(o => o.Error is null).Select(o => o.Value!.VolumeId).Distinct().ToList();
        Assert.True(outcomes.All(o => o.Error is null || o.Error.StatusCode == StatusCode.Aborted), string.Join("; ", outcomes.Select(o => o.Error?.Message)));
        // the CO's retry after Aborted gets the one volume
        var volume = await TestVolumes.CreateAsync(_plugin, name, CsiPluginProcess.GiB);
        Assert.All(succeeded, id => Assert.Equal(volume.VolumeId, id));
        Assert.Single(_plugin.Subvolumes(), s => s == volume.VolumeContext["subvolumeName"]);
        await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
    }

    [Fact]
    public async Task ConcurrentStagesOfOneVolumeAreAbortedButOne()
    {
        var volume = await TestVolumes.CreateAsync(_plugin, "pvc-stage-race-" + Guid.NewGuid().ToString("N")[..8], CsiPluginProcess.GiB);
        string staging = _plugin.NewPath("staging");
        try
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 3)
                .Select(_ => Outcome(_plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging)).ResponseAsync)));
            Assert.Contains(outcomes, o => o.Error?.StatusCode == StatusCode.Aborted);
            Assert.All(outcomes, o => Assert.True(o.Error is null || o.Error.StatusCode == StatusCode.Aborted, o.Error?.Message));
            await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
            _plugin.DaemonOf(staging);
        }
        finally
        {
            await TestVolumes.UnstageAsync(_plugin, volume.VolumeId, staging);
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
    }

    private static async Task<(T? Value, RpcException? Error)> Outcome<T>(Task<T> call) where T : class
    {
        try
        {
            return (await call, null);
        }
        catch (RpcException e)
        {
            return (null, e);
        }
    }
}
