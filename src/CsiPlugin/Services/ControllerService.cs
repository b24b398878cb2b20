using Csi.V1;
using Grpc.Core;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CsiPlugin.Config;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Secrets;
using ManagedCephFuse.CsiPlugin.Store;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>
/// CSI Controller: subvolumes with quotas, their snapshots, clones and restores, named through ceph-csi's omap
/// journal. Each handler validates, takes the per-name and per-volume (or per-snapshot) locks, builds the options
/// and calls the core (ceph-csi's controllerserver.go). Snapshots: ControllerService.Snapshots.cs.
/// </summary>
internal sealed partial class ControllerService(
    PluginOptions plugin,
    ClusterConfig config,
    CephConnector connector,
    SubvolumeCore core,
    ControllerLocks locks,
    ILogger<ControllerService> logger) : Controller.ControllerBase
{
    private static readonly ControllerServiceCapability.Types.RPC.Types.Type[] Capabilities =
    [
        ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteVolume,
        ControllerServiceCapability.Types.RPC.Types.Type.ExpandVolume,
        ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteSnapshot,
        ControllerServiceCapability.Types.RPC.Types.Type.CloneVolume,
    ];

    public override Task<ControllerGetCapabilitiesResponse> ControllerGetCapabilities(
        ControllerGetCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new ControllerGetCapabilitiesResponse();
        foreach (var type in Capabilities)
            response.Capabilities.Add(new ControllerServiceCapability { Rpc = new ControllerServiceCapability.Types.RPC { Type = type } });
        return Task.FromResult(response);
    }

    public override async Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request, ServerCallContext context)
    {
        const string rpc = nameof(CreateVolume);
        Validation.RequireName(request.Name, rpc);
        if (request.VolumeCapabilities.Count == 0)
            throw CsiErrors.InvalidArgument($"{rpc}: volume_capabilities are required");
        foreach (var capability in request.VolumeCapabilities)
        {
            if (Validation.Problem(capability) is { } problem)
                throw CsiErrors.InvalidArgument($"{rpc}: {problem}");
        }
        var source = ContentSource.From(request.VolumeContentSource, rpc);
        long size = CapacitySizes.Requested(request.CapacityRange, rpc);
        var options = VolumeOptions.FromCreateParameters(request.Parameters, config);
        if (options.BackingSnapshot && source?.SnapshotId is null)
            throw CsiErrors.InvalidArgument($"{rpc}: backingSnapshot needs a snapshot as the volume content source");
        if (options.BackingSnapshot && !request.VolumeCapabilities.All(Validation.IsReadOnly))
            throw CsiErrors.InvalidArgument($"{rpc}: backingSnapshot may be used only with read-only access modes");
        var credentials = Credentials.Admin(request.Secrets);

        using var nameLock = locks.Acquire(request.Name);
        // the source may not be deleted (or, for a volume, snapshotted) while it is being copied
        using var sourceLock = source?.SnapshotId is { } snapshotId ? locks.AcquireSnapshot(snapshotId)
            : source?.VolumeId is { } sourceVolumeId ? locks.Acquire(sourceVolumeId) : null;
        return await Task.Run(() => Create(request, options, source, credentials, size), context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request, ServerCallContext context)
    {
        const string rpc = nameof(DeleteVolume);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        var credentials = Credentials.Admin(request.Secrets);
        using var idLock = locks.Acquire(volumeId);
        if (!VolumeId.TryDecode(volumeId, out var decoded, out string error))
        {
            // nothing of ours can exist under an ID we cannot have made: deleted, per the spec
            Log.VolumeAlreadyGone(logger, volumeId, error);
            return new DeleteVolumeResponse();
        }
        var cluster = config.Get(decoded.ClusterId);
        await Task.Run(() => Delete(volumeId, decoded, cluster, credentials), context.CancellationToken).ConfigureAwait(false);
        return new DeleteVolumeResponse();
    }

    public override async Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request,
        ServerCallContext context)
    {
        const string rpc = nameof(ControllerExpandVolume);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        if (request.CapacityRange is null)
            throw CsiErrors.InvalidArgument($"{rpc}: capacity_range is required");
        long size = CapacitySizes.Requested(request.CapacityRange, rpc);
        if (size == 0)
            throw CsiErrors.InvalidArgument($"{rpc}: capacity_range asks for no size");
        var credentials = Credentials.Admin(request.Secrets);
        using var idLock = locks.Acquire(volumeId);
        if (!VolumeId.TryDecode(volumeId, out var decoded, out string error))
            throw CsiErrors.NotFound($"volume {volumeId}: {error}");
        var cluster = config.Get(decoded.ClusterId);
        long capacity = await Task.Run(() => Expand(volumeId, decoded, cluster, credentials, size), context.CancellationToken)
            .ConfigureAwait(false);
        return new ControllerExpandVolumeResponse { CapacityBytes = capacity, NodeExpansionRequired = false };
    }

    public override async Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(
        ValidateVolumeCapabilitiesRequest request, ServerCallContext context)
    {
        const string rpc = nameof(ValidateVolumeCapabilities);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        if (request.VolumeCapabilities.Count == 0)
            throw CsiErrors.InvalidArgument($"{rpc}: volume_capabilities are required");
        if (!VolumeId.TryDecode(volumeId, out var decoded, out string error))
            throw CsiErrors.NotFound($"volume {volumeId}: {error}");
        // With the provisioner's secrets we can tell whether the volume exists; without them the ID's form is all we have.
        if (request.Secrets.ContainsKey("adminID"))
        {
            var credentials = Credentials.Admin(request.Secrets);
            var cluster = config.Get(decoded.ClusterId);
            await Task.Run(() => Locate(volumeId, decoded, cluster, credentials), context.CancellationToken).ConfigureAwait(false);
        }
        foreach (var capability in request.VolumeCapabilities)
        {
            if (Validation.Problem(capability) is { } problem)
                return new ValidateVolumeCapabilitiesResponse { Message = problem };
        }
        var confirmed = new ValidateVolumeCapabilitiesResponse.Types.Confirmed();
        confirmed.VolumeCapabilities.Add(request.VolumeCapabilities);
        confirmed.VolumeContext.Add(request.VolumeContext);
        confirmed.Parameters.Add(request.Parameters);
        return new ValidateVolumeCapabilitiesResponse { Confirmed = confirmed };
    }

    private CreateVolumeResponse Create(CreateVolumeRequest request, VolumeOptions options, ContentSource? source,
        Credentials credentials, long size)
    {
        string name = request.Name;
        using var admin = connector.Connect(options.MonitorList, credentials);
        var fs = FileSystems.ByName(admin, options.FsName);
        using var store = VolumeStore.Open(admin, fs, options.ClusterId, options.SubvolumeGroup, plugin.InstanceId);
        var origin = source is null ? null : ResolveSource(store, options, source, size);
        void Stale(string reason) => Log.StaleReservation(logger, name, reason);
        void CloneGone(VolumeRecord clone) => RemoveTemporarySnapshot(admin, origin, clone);

        var found = store.FindByName(name, options.NamePrefix, isClone: origin is not null && !options.BackingSnapshot, Stale, CloneGone);
        if (found is null)
        {
            if (origin is null)
                return CreatePlain(request, options, store, size);
            var reserved = store.Reserve(name, options.NamePrefix, options.BackingSnapshot ? origin.SnapshotId! : "");
            StartCopy(store, options, origin, reserved);
            // a clone that is still copying answers Aborted here, and the CO's retry finds it again
            found = store.FindByName(name, options.NamePrefix, isClone: !options.BackingSnapshot, Stale, CloneGone)
                ?? throw CsiErrors.Internal($"volume {reserved.Subvolume} vanished right after its creation");
        }
        var (volume, info) = found.Value;
        if (origin is null)
        {
            if (info is null)
                throw CsiErrors.AlreadyExists($"volume {name} already exists as a snapshot-backed volume, which this request does not ask for");
            if (!CapacitySizes.Satisfies(info.BytesQuota, request.CapacityRange))
                throw CsiErrors.AlreadyExists($"volume {name} already exists with a quota of " +
                    $"{(info.BytesQuota is { } q ? q + " bytes" : "none")}, which does not fit the requested capacity range");
            Log.VolumeExists(logger, volume.VolumeId, volume.Subvolume.Name, name);
            return Response(volume.VolumeId, info.BytesQuota ?? 0, request, volume.Subvolume.Name, info.Path);
        }
        if (volume.IsSnapshotBacked)
            return Response(volume.VolumeId, origin.Size ?? 0, request, volume.Subvolume.Name, origin.SnapshotParentRoot);
        long capacity = FinishClone(store, origin, volume, info!, size);
        return Response(volume.VolumeId, capacity, request, volume.Subvolume.Name, info!.Path);
    }

    private CreateVolumeResponse CreatePlain(CreateVolumeRequest request, VolumeOptions options, VolumeStore store, long size)
    {
        var reserved = store.Reserve(request.Name, options.NamePrefix);
        string path;
        try
        {
            core.EnsureGroup(store.Admin, options.ClusterId, reserved.Subvolume);
            SubvolumeCore.Create(store.Admin, reserved.Subvolume, size, options.Pool);
            path = SubvolumeCore.TryGetPath(store.Admin, reserved.Subvolume)
                ?? throw CsiErrors.Internal($"subvolume {reserved.Subvolume} vanished right after its creation");
        }
        catch
        {
            Undo(store, reserved);
            throw;
        }
        Log.VolumeCreated(logger, reserved.Subvolume.Name, size, store.Fs.Name, options.SubvolumeGroup, request.Name, reserved.VolumeId);
        return Response(reserved.VolumeId, size, request, reserved.Subvolume.Name, path);
    }

    private void Delete(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        VolumeStore store;
        VolumeRecord volume;
        try
        {
            store = VolumeStore.OpenById(admin, volumeId, decoded, cluster.CephFs.SubvolumeGroup, plugin.InstanceId);
        }
        catch (CoreException e) when (e.Failure == Failure.NotFound)
        {
            Log.VolumeAlreadyGone(logger, volumeId, e.Message);
            return;
        }
        using (store)
        {
            try
            {
                volume = store.Resolve(volumeId, decoded);
            }
            catch (CoreException e) when (e.Failure == Failure.NotFound)
            {
                Log.VolumeAlreadyGone(logger, volumeId, e.Message);
                return;
            }
            using var nameLock = string.IsNullOrEmpty(volume.RequestName) ? null : locks.Acquire(volume.RequestName);
            if (volume.IsSnapshotBacked)
                ReleaseBackingSnapshot(store, volume);
            else
                SubvolumeCore.Purge(admin, volume.Subvolume);
            store.Undo(volume);
        }
        Log.VolumeDeleted(logger, volumeId, volume.Subvolume.Name);
    }

    private long Expand(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials, long size)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        var (volume, info) = Locate(admin, volumeId, decoded, cluster);
        if (info is null)
            throw CsiErrors.InvalidArgument($"volume {volumeId} is snapshot-backed (read-only): it cannot be expanded");
        var subvolume = volume.Subvolume;
        if (info.BytesQuota is null || info.BytesQuota >= size)
            return info.BytesQuota ?? size; // no shrinking; no quota means nothing to grow
        SubvolumeCore.Resize(admin, subvolume, size);
        Log.VolumeResized(logger, volumeId, size);
        return size;
    }

    private void Locate(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        Locate(admin, volumeId, decoded, cluster);
    }

    /// <summary>
    /// The volume and its subvolume's info (null for a snapshot-backed volume); NotFound when the file system,
    /// journal entry or subvolume is gone.
    /// </summary>
    private (VolumeRecord Volume, SubvolumeInfo? Info) Locate(CephAdmin admin, string volumeId, VolumeId decoded, ClusterInfo cluster)
    {
        using var store = VolumeStore.OpenById(admin, volumeId, decoded, cluster.CephFs.SubvolumeGroup, plugin.InstanceId);
        var volume = store.Resolve(volumeId, decoded);
        if (volume.IsSnapshotBacked)
            return (volume, null);
        var info = SubvolumeCore.TryGetInfo(admin, volume.Subvolume)
            ?? throw CsiErrors.NotFound($"volume {volumeId}: subvolume {volume.Subvolume} does not exist");
        return (volume, info);
    }

    private void Undo(VolumeStore store, VolumeRecord volume)
    {
        try
        {
            SubvolumeCore.Purge(store.Admin, volume.Subvolume);
            store.Undo(volume);
        }
        catch (CoreException e)
        {
            Log.UndoFailed(logger, volume.RequestName, e.Message);
        }
    }

    private static CreateVolumeResponse Response(string volumeId, long capacity, CreateVolumeRequest request,
        string subvolume, string path)
    {
        var volume = new Csi.V1.Volume { VolumeId = volumeId, CapacityBytes = capacity, ContentSource = request.VolumeContentSource };
        volume.VolumeContext.Add(VolumeOptions.BuildVolumeContext(request.Parameters, subvolume, path));
        return new CreateVolumeResponse { Volume = volume };
    }
}

/// <summary>
/// The controller's locks, as ceph-csi's VolumeLocks and SnapshotLocks: one set for volume request names and
/// volume IDs, one for snapshot request names and snapshot IDs.
/// </summary>
internal sealed class ControllerLocks
{
    private readonly OperationLocks _volumes = new();
    private readonly OperationLocks _snapshots = new("Snapshot");

    public OperationLocks.Releaser Acquire(string id) => _volumes.Acquire(id);

    public OperationLocks.Releaser AcquireSnapshot(string id) => _snapshots.Acquire(id);
}
