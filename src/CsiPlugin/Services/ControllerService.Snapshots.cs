using Csi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ManagedCephFuse.CsiPlugin.Config;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Secrets;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>
/// CreateSnapshot and DeleteSnapshot: subvolume snapshots named through ceph-csi's snapshot journal, with IDs in
/// the volume IDs' format (the snapshot's UUID at the end). The snapshot's size is its source's quota, as
/// ceph-csi reports it (Pacific's snapshot info has no size).
/// </summary>
internal sealed partial class ControllerService
{
    public override async Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        const string rpc = nameof(CreateSnapshot);
        Validation.RequireName(request.Name, rpc);
        string sourceId = Validation.Require(request.SourceVolumeId, "source_volume_id", rpc);
        var credentials = Credentials.Admin(request.Secrets);
        string prefix = VolumeOptions.SnapshotNamePrefix(request.Parameters);

        using var nameLock = locks.AcquireSnapshot(request.Name);
        using var sourceLock = locks.Acquire(sourceId);
        if (!VolumeId.TryDecode(sourceId, out var decoded, out string error))
            throw CsiErrors.NotFound($"source volume {sourceId}: {error}");
        if (request.Parameters.TryGetValue(VolumeOptions.ClusterIdKey, out string? clusterId) && clusterId.Length > 0 &&
            clusterId != decoded.ClusterId)
            throw CsiErrors.InvalidArgument($"{rpc}: clusterID {clusterId} is not the source volume's cluster {decoded.ClusterId}");
        var cluster = config.Get(decoded.ClusterId);
        var snapshot = await Task.Run(() => Snapshot(request.Name, prefix, sourceId, decoded, cluster, credentials),
            context.CancellationToken).ConfigureAwait(false);
        return new CreateSnapshotResponse { Snapshot = snapshot };
    }

    public override async Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context)
    {
        const string rpc = nameof(DeleteSnapshot);
        string snapshotId = Validation.Require(request.SnapshotId, "snapshot_id", rpc);
        var credentials = Credentials.Admin(request.Secrets);
        using var idLock = locks.AcquireSnapshot(snapshotId);
        if (!VolumeId.TryDecode(snapshotId, out var decoded, out string error))
        {
            Log.SnapshotAlreadyGone(logger, snapshotId, error);
            return new DeleteSnapshotResponse();
        }
        var cluster = config.Get(decoded.ClusterId);
        await Task.Run(() => DeleteSnapshot(snapshotId, decoded, cluster, credentials), context.CancellationToken).ConfigureAwait(false);
        return new DeleteSnapshotResponse();
    }

    /// <summary>Not served (LIST_SNAPSHOTS is not advertised, as in ceph-csi's CephFS driver).</summary>
    public override Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented,
            "ListSnapshots is not served by this driver (no LIST_SNAPSHOTS capability)"));

    private Snapshot Snapshot(string name, string prefix, string sourceId, VolumeId decoded, ClusterInfo cluster, Credentials credentials)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        using var store = VolumeStore.OpenById(admin, sourceId, decoded, cluster.CephFs.SubvolumeGroup, plugin.InstanceId);
        var source = store.Resolve(sourceId, decoded);
        if (source.IsSnapshotBacked)
            throw CsiErrors.InvalidArgument($"volume {sourceId} is snapshot-backed: it cannot be snapshotted");
        var sourceInfo = SubvolumeCore.TryGetInfo(admin, source.Subvolume)
            ?? throw CsiErrors.NotFound($"source volume {sourceId}: subvolume {source.Subvolume} does not exist");

        if (store.FindSnapshotByName(name, prefix, source.Subvolume, reason => Log.StaleReservation(logger, name, reason))
            is var (existing, existingInfo))
        {
            Log.SnapshotExists(logger, existing.SnapshotId, existing.SnapshotName, name);
            return SnapshotOf(existing, sourceId, existingInfo.CreatedAt, sourceInfo.BytesQuota);
        }
        var reserved = store.ReserveSnapshot(name, prefix, source.Subvolume);
        string createdAt;
        try
        {
            SnapshotCore.Create(admin, source.Subvolume, reserved.SnapshotName);
            createdAt = (SnapshotCore.TryGetInfo(admin, source.Subvolume, reserved.SnapshotName)
                ?? throw CsiErrors.Internal($"snapshot {reserved.SnapshotName} of {source.Subvolume} vanished right after its creation")).CreatedAt;
        }
        catch
        {
            Cleanup(name, () => SnapshotCore.Remove(admin, source.Subvolume, reserved.SnapshotName), () => store.Undo(reserved));
            throw;
        }
        Log.SnapshotCreated(logger, reserved.SnapshotName, source.Subvolume.ToString(), name, reserved.SnapshotId);
        return SnapshotOf(reserved, sourceId, createdAt, sourceInfo.BytesQuota);
    }

    private void DeleteSnapshot(string snapshotId, VolumeId decoded, ClusterInfo cluster, Credentials credentials)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        VolumeStore store;
        try
        {
            store = VolumeStore.OpenById(admin, snapshotId, decoded, cluster.CephFs.SubvolumeGroup, plugin.InstanceId);
        }
        catch (CoreException e) when (e.Failure == Failure.NotFound)
        {
            Log.SnapshotAlreadyGone(logger, snapshotId, e.Message);
            return;
        }
        using (store)
        {
            SnapshotRecord snapshot;
            try
            {
                snapshot = store.ResolveSnapshot(snapshotId, decoded);
            }
            catch (CoreException e) when (e.Failure == Failure.NotFound)
            {
                Log.SnapshotAlreadyGone(logger, snapshotId, e.Message);
                return;
            }
            using var nameLock = string.IsNullOrEmpty(snapshot.RequestName) ? null : locks.AcquireSnapshot(snapshot.RequestName);
            var info = SnapshotCore.TryGetInfo(admin, snapshot.Source, snapshot.SnapshotName);
            if (info is null)
            {
                store.Undo(snapshot);
                Log.SnapshotAlreadyGone(logger, snapshotId, $"snapshot {snapshot.SnapshotName} of {snapshot.Source} is gone");
                return;
            }
            if (info.HasPendingClones)
                throw CsiErrors.FailedPrecondition($"snapshot {snapshotId} has pending clones: " +
                    (info.PendingClones.Count > 0 ? string.Join(", ", info.PendingClones) : "(names not reported)") + "; retry once they are complete");
            if (!store.ReleaseSnapshotReference(snapshotId))
            {
                // snapshot-backed volumes still show it: the last one's DeleteVolume removes it
                Log.SnapshotStillBacksVolumes(logger, snapshotId);
                return;
            }
            SnapshotCore.Remove(admin, snapshot.Source, snapshot.SnapshotName);
            store.Undo(snapshot);
            Log.SnapshotDeleted(logger, snapshotId, snapshot.SnapshotName);
        }
    }

    private static Snapshot SnapshotOf(SnapshotRecord snapshot, string sourceId, string createdAt, long? size) => new()
    {
        SnapshotId = snapshot.SnapshotId,
        SourceVolumeId = sourceId,
        SizeBytes = size ?? 0,
        CreationTime = Timestamp.FromDateTimeOffset(SnapshotCore.ParseCreatedAt(createdAt)),
        ReadyToUse = true,
    };
}
