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
/// CSI Controller: subvolumes with quotas, named through ceph-csi's omap journal. Each handler validates,
/// takes the per-name or per-volume lock, builds the options and calls the core (ceph-csi's controllerserver.go).
/// </summary>
internal sealed class ControllerService(
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
        if (request.VolumeContentSource is not null)
            throw CsiErrors.InvalidArgument($"{rpc}: volume content sources (snapshots, clones) are not supported yet");
        long size = CapacitySizes.Requested(request.CapacityRange, rpc);
        var options = VolumeOptions.FromCreateParameters(request.Parameters, config);
        var credentials = Credentials.Admin(request.Secrets);

        using var nameLock = locks.Acquire(request.Name);
        return await Task.Run(() => Create(request, options, credentials, size), context.CancellationToken).ConfigureAwait(false);
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

    private CreateVolumeResponse Create(CreateVolumeRequest request, VolumeOptions options, Credentials credentials, long size)
    {
        string name = request.Name;
        using var admin = connector.Connect(options.MonitorList, credentials);
        var fs = FileSystems.ByName(admin, options.FsName);
        using var store = VolumeStore.Open(admin, fs, options.ClusterId, options.SubvolumeGroup, plugin.InstanceId);

        if (store.FindByName(name, options.NamePrefix, reason => Log.StaleReservation(logger, name, reason)) is var (existing, info))
        {
            if (!CapacitySizes.Satisfies(info.BytesQuota, request.CapacityRange))
                throw CsiErrors.AlreadyExists($"volume {name} already exists with a quota of " +
                    $"{(info.BytesQuota is { } q ? q + " bytes" : "none")}, which does not fit the requested capacity range");
            Log.VolumeExists(logger, existing.VolumeId, existing.Subvolume.Name, name);
            return Response(existing.VolumeId, info.BytesQuota ?? 0, request.Parameters, existing.Subvolume.Name, info.Path);
        }

        var reserved = store.Reserve(name, options.NamePrefix);
        string path;
        try
        {
            core.EnsureGroup(admin, options.ClusterId, reserved.Subvolume);
            SubvolumeCore.Create(admin, reserved.Subvolume, size, options.Pool);
            path = SubvolumeCore.TryGetPath(admin, reserved.Subvolume)
                ?? throw CsiErrors.Internal($"subvolume {reserved.Subvolume} vanished right after its creation");
        }
        catch
        {
            Undo(store, reserved);
            throw;
        }
        Log.VolumeCreated(logger, reserved.Subvolume.Name, size, fs.Name, options.SubvolumeGroup, name, reserved.VolumeId);
        return Response(reserved.VolumeId, size, request.Parameters, reserved.Subvolume.Name, path);
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
            SubvolumeCore.Purge(admin, volume.Subvolume);
            store.Undo(volume);
        }
        Log.VolumeDeleted(logger, volumeId, volume.Subvolume.Name);
    }

    private long Expand(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials, long size)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        var (subvolume, info) = Locate(admin, volumeId, decoded, cluster);
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

    /// <summary>The volume's subvolume and its info; NotFound when the file system, journal entry or subvolume is gone.</summary>
    private (Subvolume Subvolume, SubvolumeInfo Info) Locate(CephAdmin admin, string volumeId, VolumeId decoded, ClusterInfo cluster)
    {
        using var store = VolumeStore.OpenById(admin, volumeId, decoded, cluster.CephFs.SubvolumeGroup, plugin.InstanceId);
        var subvolume = store.Resolve(volumeId, decoded).Subvolume;
        var info = SubvolumeCore.TryGetInfo(admin, subvolume)
            ?? throw CsiErrors.NotFound($"volume {volumeId}: subvolume {subvolume} does not exist");
        return (subvolume, info);
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

    private static CreateVolumeResponse Response(string volumeId, long capacity, IReadOnlyDictionary<string, string> parameters,
        string subvolume, string path)
    {
        var volume = new Csi.V1.Volume { VolumeId = volumeId, CapacityBytes = capacity };
        volume.VolumeContext.Add(VolumeOptions.BuildVolumeContext(parameters, subvolume, path));
        return new CreateVolumeResponse { Volume = volume };
    }
}

/// <summary>The controller's per-name and per-volume-ID locks (one set, as ceph-csi's VolumeLocks).</summary>
internal sealed class ControllerLocks
{
    private readonly OperationLocks _locks = new();

    public OperationLocks.Releaser Acquire(string id) => _locks.Acquire(id);
}
