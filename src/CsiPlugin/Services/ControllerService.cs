using Csi.V1;
using Grpc.Core;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Store;
using ManagedCephFuse.CsiPlugin.Util;
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
        try
        {
            VolumeId.Create(options.ClusterId, fs.Fscid, Guid.Empty.ToString("D")).Encode();
        }
        catch (FormatException e)
        {
            throw CsiErrors.InvalidArgument($"{nameof(CreateVolume)}: {e.Message}");
        }
        using var io = OpenJournal(admin, fs);
        var journal = new VolumeJournal(io, plugin.InstanceId);

        var existing = Journal(() => journal.CheckReservation(name, options.NamePrefix,
            reason => Log.StaleReservation(logger, name, reason)), name);
        if (existing is not null)
        {
            var info = SubvolumeCore.TryGetInfo(admin, fs.Name, options.SubvolumeGroup, existing.SubvolumeName);
            if (info is not null)
            {
                if (!CapacitySizes.Satisfies(info.BytesQuota, request.CapacityRange))
                    throw CsiErrors.AlreadyExists($"volume {name} already exists with a quota of " +
                        $"{(info.BytesQuota is { } q ? q + " bytes" : "none")}, which does not fit the requested capacity range");
                string existingId = VolumeId.Create(options.ClusterId, fs.Fscid, existing.Uuid).Encode();
                Log.VolumeExists(logger, existingId, existing.SubvolumeName, name);
                return Response(existingId, info.BytesQuota ?? 0, request.Parameters, existing.SubvolumeName, info.Path);
            }
            Log.StaleReservation(logger, name, $"subvolume {existing.SubvolumeName} is missing");
            Journal(() => journal.UndoReservation(name, existing.SubvolumeName), name);
        }

        var reservation = Journal(() => journal.ReserveName(name, options.NamePrefix), name);
        string path;
        try
        {
            core.EnsureGroup(admin, options.ClusterId, fs.Name, options.SubvolumeGroup);
            SubvolumeCore.Create(admin, fs.Name, options.SubvolumeGroup, reservation.SubvolumeName, size, options.Pool);
            path = SubvolumeCore.TryGetPath(admin, fs.Name, options.SubvolumeGroup, reservation.SubvolumeName)
                ?? throw CsiErrors.Internal($"subvolume {reservation.SubvolumeName} vanished right after its creation");
        }
        catch
        {
            Undo(admin, fs, options.SubvolumeGroup, journal, name, reservation.SubvolumeName);
            throw;
        }
        string volumeId = VolumeId.Create(options.ClusterId, fs.Fscid, reservation.Uuid).Encode();
        Log.VolumeCreated(logger, reservation.SubvolumeName, size, fs.Name, options.SubvolumeGroup, name, volumeId);
        return Response(volumeId, size, request.Parameters, reservation.SubvolumeName, path);
    }

    private void Delete(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        var fs = FileSystems.ById(admin, decoded.LocationId);
        if (fs is null)
        {
            Log.VolumeAlreadyGone(logger, volumeId, $"no file system with id {decoded.LocationId}");
            return;
        }
        using var io = OpenJournal(admin, fs);
        var journal = new VolumeJournal(io, plugin.InstanceId);
        var attributes = Journal(() => journal.GetAttributes(decoded.ObjectUuid), volumeId);
        if (attributes is null)
        {
            Log.VolumeAlreadyGone(logger, volumeId, $"journal object {VolumeJournal.UuidObject(decoded.ObjectUuid)} is gone");
            return;
        }
        using var nameLock = string.IsNullOrEmpty(attributes.RequestName) ? null : locks.Acquire(attributes.RequestName);
        SubvolumeCore.Purge(admin, fs.Name, cluster.CephFs.SubvolumeGroup, attributes.SubvolumeName);
        Journal(() => journal.UndoReservation(attributes.RequestName, attributes.SubvolumeName), volumeId);
        Log.VolumeDeleted(logger, volumeId, attributes.SubvolumeName);
    }

    private long Expand(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials, long size)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        var (fs, subvolume, info) = Locate(admin, volumeId, decoded, cluster);
        if (info.BytesQuota is null || info.BytesQuota >= size)
            return info.BytesQuota ?? size; // no shrinking; no quota means nothing to grow
        SubvolumeCore.Resize(admin, fs.Name, cluster.CephFs.SubvolumeGroup, subvolume, size);
        Log.VolumeResized(logger, volumeId, size);
        return size;
    }

    private void Locate(string volumeId, VolumeId decoded, ClusterInfo cluster, Credentials credentials)
    {
        using var admin = connector.Connect(string.Join(',', cluster.Monitors), credentials);
        Locate(admin, volumeId, decoded, cluster);
    }

    /// <summary>The volume's file system, subvolume and info; NotFound when any of them is gone.</summary>
    private (FileSystemLocation Fs, string Subvolume, SubvolumeInfo Info) Locate(CephAdmin admin, string volumeId,
        VolumeId decoded, ClusterInfo cluster)
    {
        var fs = FileSystems.ById(admin, decoded.LocationId)
            ?? throw CsiErrors.NotFound($"volume {volumeId}: no file system with id {decoded.LocationId}");
        using var io = OpenJournal(admin, fs);
        var attributes = Journal(() => new VolumeJournal(io, plugin.InstanceId).GetAttributes(decoded.ObjectUuid), volumeId)
            ?? throw CsiErrors.NotFound($"volume {volumeId}: no journal object {VolumeJournal.UuidObject(decoded.ObjectUuid)}");
        var info = SubvolumeCore.TryGetInfo(admin, fs.Name, cluster.CephFs.SubvolumeGroup, attributes.SubvolumeName)
            ?? throw CsiErrors.NotFound($"volume {volumeId}: subvolume {fs.Name}/{cluster.CephFs.SubvolumeGroup}/{attributes.SubvolumeName} does not exist");
        return (fs, attributes.SubvolumeName, info);
    }

    private void Undo(CephAdmin admin, FileSystemLocation fs, string group, VolumeJournal journal, string name, string subvolume)
    {
        try
        {
            SubvolumeCore.Purge(admin, fs.Name, group, subvolume);
            journal.UndoReservation(name, subvolume);
        }
        catch (Exception e) when (e is CephException or RpcException or FormatException)
        {
            Log.UndoFailed(logger, name, e.Message);
        }
    }

    private static RadosIoContext OpenJournal(CephAdmin admin, FileSystemLocation fs)
    {
        try
        {
            return admin.Cluster.OpenIoContext(fs.MetadataPool, VolumeJournal.RadosNamespace);
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"opening the journal in pool {fs.MetadataPool}");
        }
    }

    private static T Journal<T>(Func<T> action, string what)
    {
        try
        {
            return action();
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"journal of {what}");
        }
        catch (InvalidOperationException e)
        {
            throw CsiErrors.Internal(e.Message);
        }
    }

    private static void Journal(Action action, string what) => Journal(() =>
    {
        action();
        return true;
    }, what);

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
