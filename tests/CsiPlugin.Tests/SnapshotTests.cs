using System.Diagnostics;
using Csi.V1;
using Grpc.Core;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Store;
using Mode = Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>
/// Snapshots, restores, clones and snapshot-backed volumes through a real cephcsi, the real cluster and real
/// FUSE mounts, checked against the CSI spec's rules for CreateSnapshot, DeleteSnapshot and content sources
/// (what csi-sanity's snapshot and clone specs check) and against ceph-csi's journal layout.
/// </summary>
[Trait("Category", "Cluster")]
[Trait("Category", "Kernel")]
public sealed class SnapshotTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private const long GiB = CsiPluginProcess.GiB;
    private readonly CsiPluginProcess _plugin = fixture.Plugin;
    private static string FsName => CsiPluginProcess.Env.FsName;

    [Fact]
    public async Task SnapshotRestoreCloneAndDeleteInEveryOrder()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        var source = await TestVolumes.CreateAsync(_plugin, "pvc-snap-src-" + tag, GiB);
        string sourceSubvolume = source.VolumeContext["subvolumeName"];
        var staged = new List<(string VolumeId, string Path)>();
        try
        {
            string sourcePath = await StageAsync(source, staged);
            await File.WriteAllTextAsync(Path.Combine(sourcePath, "a.txt"), "before the snapshot");
            Directory.CreateDirectory(Path.Combine(sourcePath, "dir"));
            await File.WriteAllTextAsync(Path.Combine(sourcePath, "dir", "b.txt"), "only in the snapshot");

            var started = DateTimeOffset.UtcNow;
            var snapshot = await TestVolumes.SnapshotAsync(_plugin, "snap-1-" + tag, source.VolumeId);
            Assert.True(snapshot.ReadyToUse);
            Assert.Equal(source.VolumeId, snapshot.SourceVolumeId);
            Assert.Equal(GiB, snapshot.SizeBytes);
            Assert.InRange(snapshot.CreationTime.ToDateTimeOffset(), started.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(2));
            Assert.True(VolumeId.TryDecode(snapshot.SnapshotId, out var snapshotId, out _), snapshot.SnapshotId);
            Assert.True(VolumeId.TryDecode(source.VolumeId, out var sourceId, out _));
            Assert.Equal((sourceId.ClusterId, sourceId.LocationId), (snapshotId.ClusterId, snapshotId.LocationId));
            AssertSnapshotJournal("snap-1-" + tag, snapshotId.ObjectUuid, sourceSubvolume);

            // the source changes after the snapshot
            await File.WriteAllTextAsync(Path.Combine(sourcePath, "a.txt"), "after the snapshot");
            File.Delete(Path.Combine(sourcePath, "dir", "b.txt"));

            // a restore is never smaller than its source
            var tooSmall = await Assert.ThrowsAsync<RpcException>(() => TestVolumes.CreateRetryingAsync(_plugin,
                TestVolumes.FromSource("pvc-too-small-" + tag, GiB / 2, TestVolumes.SnapshotSource(snapshot.SnapshotId))));
            Assert.Equal(StatusCode.OutOfRange, tooSmall.StatusCode);

            // restore: the old content, a quota of its own
            var restored = await TestVolumes.CreateRetryingAsync(_plugin,
                TestVolumes.FromSource("pvc-restored-" + tag, 2 * GiB, TestVolumes.SnapshotSource(snapshot.SnapshotId)));
            Assert.Equal(2 * GiB, restored.CapacityBytes);
            Assert.Equal(snapshot.SnapshotId, restored.ContentSource.Snapshot.SnapshotId);
            string restoredPath = await StageAsync(restored, staged);
            Assert.Equal("before the snapshot", await File.ReadAllTextAsync(Path.Combine(restoredPath, "a.txt")));
            Assert.Equal("only in the snapshot", await File.ReadAllTextAsync(Path.Combine(restoredPath, "dir", "b.txt")));
            Assert.Equal(2 * GiB, TestVolumes.TotalBytes(await TestVolumes.StatsAsync(_plugin, restored.VolumeId, restoredPath)));
            Assert.Equal(2 * GiB, await DfSizeAsync(restoredPath));

            // clone of the volume: today's content, independent of its source both ways
            var clone = await TestVolumes.CreateRetryingAsync(_plugin,
                TestVolumes.FromSource("pvc-clone-" + tag, GiB, TestVolumes.VolumeSource(source.VolumeId)));
            Assert.Equal(GiB, clone.CapacityBytes);
            Assert.Equal(source.VolumeId, clone.ContentSource.Volume.VolumeId);
            string clonePath = await StageAsync(clone, staged);
            Assert.Equal("after the snapshot", await File.ReadAllTextAsync(Path.Combine(clonePath, "a.txt")));
            Assert.False(File.Exists(Path.Combine(clonePath, "dir", "b.txt")));
            await File.WriteAllTextAsync(Path.Combine(clonePath, "c.txt"), "only in the clone");
            await File.WriteAllTextAsync(Path.Combine(sourcePath, "a.txt"), "changed after the clone");
            Assert.False(File.Exists(Path.Combine(sourcePath, "c.txt")));
            Assert.Equal("after the snapshot", await File.ReadAllTextAsync(Path.Combine(clonePath, "a.txt")));
            Assert.Equal(GiB, await DfSizeAsync(clonePath));
            // the clone's temporary snapshot is gone; the CO's snapshot stays
            using (var admin = CsiPluginProcess.ConnectAdmin())
                Assert.Single(admin.ListSubvolumeSnapshots(FsName, sourceSubvolume, _plugin.SubvolumeGroup));

            // a volume with a snapshot cannot go; a snapshot can go before the volume restored from it
            var refused = await Assert.ThrowsAsync<RpcException>(() => TestVolumes.DeleteAsync(_plugin, source.VolumeId));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            await TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId);
            await TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId);
            Assert.Equal("before the snapshot", await File.ReadAllTextAsync(Path.Combine(restoredPath, "a.txt")));

            // … and a restored volume can go before its snapshot
            var second = await TestVolumes.SnapshotAsync(_plugin, "snap-2-" + tag, source.VolumeId);
            var restored2 = await TestVolumes.CreateRetryingAsync(_plugin,
                TestVolumes.FromSource("pvc-restored-2-" + tag, 0, TestVolumes.SnapshotSource(second.SnapshotId)));
            Assert.Equal(GiB, restored2.CapacityBytes); // no size asked: the source's
            await TestVolumes.DeleteAsync(_plugin, restored2.VolumeId);
            await TestVolumes.DeleteSnapshotAsync(_plugin, second.SnapshotId);

            foreach (var (volumeId, path) in staged)
                await TestVolumes.UnstageAsync(_plugin, volumeId, path);
            staged.Clear();
            foreach (string volumeId in new[] { restored.VolumeId, clone.VolumeId, source.VolumeId })
                await TestVolumes.DeleteAsync(_plugin, volumeId);
            Assert.Empty(_plugin.Subvolumes());
            Assert.Empty(_plugin.JournalDirectory("csi.volumes."));
            Assert.Empty(_plugin.JournalDirectory("csi.snaps."));
        }
        finally
        {
            foreach (var (volumeId, path) in staged)
                await TestVolumes.UnstageAsync(_plugin, volumeId, path);
        }
    }

    [Fact]
    public async Task CreateSnapshotIsIdempotentByName()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        var first = await TestVolumes.CreateAsync(_plugin, "pvc-snap-idem-a-" + tag, GiB);
        var other = await TestVolumes.CreateAsync(_plugin, "pvc-snap-idem-b-" + tag, GiB);
        string name = "snap-idem-" + tag;
        var snapshot = await TestVolumes.SnapshotAsync(_plugin, name, first.VolumeId);
        var again = await TestVolumes.SnapshotAsync(_plugin, name, first.VolumeId);
        Assert.Equal(snapshot.SnapshotId, again.SnapshotId);
        Assert.Equal(snapshot.CreationTime, again.CreationTime);
        using (var admin = CsiPluginProcess.ConnectAdmin())
            Assert.Single(admin.ListSubvolumeSnapshots(FsName, first.VolumeContext["subvolumeName"], _plugin.SubvolumeGroup));

        // the same name for a snapshot of another volume
        var conflict = await Assert.ThrowsAsync<RpcException>(() => TestVolumes.SnapshotAsync(_plugin, name, other.VolumeId));
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        // a name of the CSI maximum length (128)
        var longest = await TestVolumes.SnapshotAsync(_plugin, ("snap-max-" + tag).PadRight(128, 'x'), other.VolumeId);
        Assert.Equal(longest.SnapshotId, (await TestVolumes.SnapshotAsync(_plugin, ("snap-max-" + tag).PadRight(128, 'x'), other.VolumeId)).SnapshotId);
        await TestVolumes.DeleteSnapshotAsync(_plugin, longest.SnapshotId);

        await TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId);
        await TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId);
        Assert.DoesNotContain("csi.snap." + name, _plugin.JournalDirectory("csi.snaps.").Keys);
        Assert.Empty(_plugin.JournalDirectory("csi.snaps."));
        await TestVolumes.DeleteAsync(_plugin, first.VolumeId);
        await TestVolumes.DeleteAsync(_plugin, other.VolumeId);
    }

    /// <summary>
    /// A snapshot as the Go driver leaves it (snapshot made with the mgr, journal written as voljournal.go writes
    /// it): CreateSnapshot finds it by name and answers the Go-encoded ID, a restore works from that ID, and
    /// DeleteSnapshot removes snapshot and journal.
    /// </summary>
    [Fact]
    public async Task ASnapshotMadeByTheGoDriverIsOurs()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        var source = await TestVolumes.CreateAsync(_plugin, "pvc-go-snap-" + tag, GiB);
        string subvolume = source.VolumeContext["subvolumeName"];
        string name = "snap-from-go-" + tag;
        string uuid = Guid.NewGuid().ToString("D");
        string cephName = "csi-snap-" + uuid;
        long fscid;
        using (var admin = CsiPluginProcess.ConnectAdmin())
        {
            fscid = admin.GetFileSystem(FsName).Id;
            admin.CreateSubvolumeSnapshot(FsName, subvolume, cephName, _plugin.SubvolumeGroup);
            using var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi");
            io.CreateObject("csi.snap." + uuid, exclusive: true);
            io.SetOmapValues($"csi.snaps.{_plugin.InstanceId}", new Dictionary<string, string> { ["csi.snap." + name] = uuid });
            io.SetOmapValues("csi.snap." + uuid, new Dictionary<string, string>
            {
                ["csi.snapname"] = name,
                ["csi.imagename"] = cephName,
                ["csi.source"] = subvolume,
            });
        }
        string goId = $"0001-{CsiPluginProcess.ClusterId.Length:x4}-{CsiPluginProcess.ClusterId}-{fscid:x16}-{uuid}";

        var snapshot = await TestVolumes.SnapshotAsync(_plugin, name, source.VolumeId);
        Assert.Equal(goId, snapshot.SnapshotId);
        var restored = await TestVolumes.CreateRetryingAsync(_plugin,
            TestVolumes.FromSource("pvc-from-go-snap-" + tag, GiB, TestVolumes.SnapshotSource(goId)));
        await TestVolumes.DeleteAsync(_plugin, restored.VolumeId);

        await TestVolumes.DeleteSnapshotAsync(_plugin, goId);
        using (var admin = CsiPluginProcess.ConnectAdmin())
        {
            Assert.Empty(admin.ListSubvolumeSnapshots(FsName, subvolume, _plugin.SubvolumeGroup));
            using var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi");
            Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => io.GetOmapValues("csi.snap." + uuid)).Errno);
        }
        Assert.DoesNotContain("csi.snap." + name, _plugin.JournalDirectory("csi.snaps.").Keys);
        await TestVolumes.DeleteAsync(_plugin, source.VolumeId);
    }

    /// <summary>
    /// backingSnapshot: "true": a read-only volume that mounts the snapshot itself (no subvolume, no copy), tracked
    /// in ceph-csi's reference tracker so that DeleteSnapshot leaves the snapshot to its last such volume.
    /// </summary>
    [Fact]
    public async Task ASnapshotBackedVolumeMountsTheSnapshotReadOnly()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        var source = await TestVolumes.CreateAsync(_plugin, "pvc-backing-src-" + tag, GiB);
        string sourceSubvolume = source.VolumeContext["subvolumeName"];
        var staged = new List<(string VolumeId, string Path)>();
        try
        {
            string sourcePath = await StageAsync(source, staged);
            await File.WriteAllTextAsync(Path.Combine(sourcePath, "kept.txt"), "as snapshotted");
            var snapshot = await TestVolumes.SnapshotAsync(_plugin, "snap-backing-" + tag, source.VolumeId);
            await File.WriteAllTextAsync(Path.Combine(sourcePath, "kept.txt"), "changed later");
            string tracker = "rt-backingsnapshot-" + snapshot.SnapshotId;
            _plugin.RemoveAtDisposal(tracker);

            var request = TestVolumes.FromSource("pvc-backed-" + tag, 0, TestVolumes.SnapshotSource(snapshot.SnapshotId),
                new() { ["backingSnapshot"] = "true" });
            request.VolumeCapabilities.Clear();
            request.VolumeCapabilities.Add(CsiPluginProcess.MountCapability(Mode.MultiNodeReaderOnly));
            var backed = (await _plugin.Controller.CreateVolumeAsync(request)).Volume;
            Assert.Equal(GiB, backed.CapacityBytes);
            Assert.Equal([sourceSubvolume], _plugin.Subvolumes()); // no copy
            Assert.True(VolumeId.TryDecode(backed.VolumeId, out var backedId, out _));
            using (var admin = CsiPluginProcess.ConnectAdmin())
            using (var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi"))
            {
                Assert.Equal(snapshot.SnapshotId, io.GetOmapValues("csi.volume." + backedId.ObjectUuid)["csi.volume.backingsnapshotid"]);
                Assert.Equal(new byte[] { 0, 0, 0, 2 }, ReadTrackerCount(io, tracker)); // the snapshot's own reference and the volume's
            }

            string staging = _plugin.NewPath("staging-backed");
            var stage = CsiPluginProcess.StageRequest(backed, staging);
            stage.VolumeCapability = CsiPluginProcess.MountCapability(Mode.MultiNodeReaderOnly);
            staged.Add((backed.VolumeId, staging));
            await _plugin.Node.NodeStageVolumeAsync(stage);
            Assert.Equal("as snapshotted", await File.ReadAllTextAsync(Path.Combine(staging, "kept.txt")));
            Assert.Equal(Errno.EROFS, FileProbe.WriteAt(Path.Combine(staging, "new.txt"), 0, [1]));
            // a writable stage of it is refused
            var writable = CsiPluginProcess.StageRequest(backed, _plugin.NewPath("staging-rw"));
            Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() =>
                _plugin.Node.NodeStageVolumeAsync(writable).ResponseAsync)).StatusCode);

            // DeleteSnapshot answers OK but leaves the snapshot to the volume that shows it …
            await TestVolumes.DeleteSnapshotAsync(_plugin, snapshot.SnapshotId);
            using (var admin = CsiPluginProcess.ConnectAdmin())
                Assert.Single(admin.ListSubvolumeSnapshots(FsName, sourceSubvolume, _plugin.SubvolumeGroup));
            Assert.Equal("as snapshotted", await File.ReadAllTextAsync(Path.Combine(staging, "kept.txt")));

            // … whose deletion takes the snapshot, its journal and the tracker with it
            await TestVolumes.UnstageAsync(_plugin, backed.VolumeId, staging);
            Assert.Null(MountInfo.Find(staging));
            await TestVolumes.DeleteAsync(_plugin, backed.VolumeId);
            using (var admin = CsiPluginProcess.ConnectAdmin())
            using (var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi"))
            {
                Assert.Empty(admin.ListSubvolumeSnapshots(FsName, sourceSubvolume, _plugin.SubvolumeGroup));
                Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => io.GetXattr(tracker, "csi.ceph.com/rt-version", 4)).Errno);
            }
            Assert.Empty(_plugin.JournalDirectory("csi.snaps."));
        }
        finally
        {
            foreach (var (volumeId, path) in staged)
                await TestVolumes.UnstageAsync(_plugin, volumeId, path);
            await TestVolumes.DeleteAsync(_plugin, source.VolumeId);
        }
    }

    private static byte[] ReadTrackerCount(ManagedCephFuse.CephClient.Rados.RadosIoContext io, string tracker)
    {
        io.GetXattr(tracker, "csi.ceph.com/rt-version", 4);
        return io.Read(tracker, 4, [], io.LastVersion).Data;
    }

    private void AssertSnapshotJournal(string name, string uuid, string sourceSubvolume)
    {
        Assert.Equal(uuid, _plugin.JournalDirectory("csi.snaps.")["csi.snap." + name]);
        using var admin = CsiPluginProcess.ConnectAdmin();
        using var io = admin.Cluster.OpenIoContext($"{FsName}_metadata", "csi");
        Assert.Equal(new Dictionary<string, string>
        {
            ["csi.snapname"] = name,
            ["csi.imagename"] = "csi-snap-" + uuid,
            ["csi.source"] = sourceSubvolume,
        }, io.GetOmapValues("csi.snap." + uuid));
        Assert.Contains("csi-snap-" + uuid, admin.ListSubvolumeSnapshots(FsName, sourceSubvolume, _plugin.SubvolumeGroup));
    }

    private async Task<string> StageAsync(Csi.V1.Volume volume, List<(string, string)> staged)
    {
        string staging = _plugin.NewPath("staging");
        staged.Add((volume.VolumeId, staging));
        await _plugin.Node.NodeStageVolumeAsync(CsiPluginProcess.StageRequest(volume, staging));
        return staging;
    }

    /// <summary>The size <c>df</c> shows for <paramref name="path"/>, in bytes.</summary>
    private static async Task<long> DfSizeAsync(string path)
    {
        using var df = Process.Start(new ProcessStartInfo("df", ["-B1", "--output=size", path]) { RedirectStandardOutput = true })!;
        string output = await df.StandardOutput.ReadToEndAsync();
        await df.WaitForExitAsync();
        Assert.Equal(0, df.ExitCode);
        return long.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
