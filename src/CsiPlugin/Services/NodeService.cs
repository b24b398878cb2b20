using Csi.V1;
using Grpc.Core;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Config;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Posix;
using ManagedCephFuse.CsiPlugin.Secrets;
using ManagedCephFuse.CsiPlugin.Store;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>
/// CSI Node: stage (mount the subvolume at the staging path with the fuse or kernel mounter), publish
/// (bind mount into the pod's target path), stats, and the v3.6 recovery of mounts whose fuse daemon died
/// (ceph-csi's nodeserver.go and fuserecovery.go).
/// </summary>
internal sealed class NodeService(
    PluginOptions plugin,
    ClusterConfig config,
    CephConnector connector,
    VolumeMounters mounters,
    StageRecords stageRecords,
    NodeLocks locks,
    ILogger<NodeService> logger) : Node.NodeBase
{
    private static readonly NodeServiceCapability.Types.RPC.Types.Type[] Capabilities =
    [
        NodeServiceCapability.Types.RPC.Types.Type.StageUnstageVolume,
        NodeServiceCapability.Types.RPC.Types.Type.GetVolumeStats,
        NodeServiceCapability.Types.RPC.Types.Type.VolumeCondition,
    ];

    public override Task<NodeGetCapabilitiesResponse> NodeGetCapabilities(NodeGetCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new NodeGetCapabilitiesResponse();
        foreach (var type in Capabilities)
            response.Capabilities.Add(new NodeServiceCapability { Rpc = new NodeServiceCapability.Types.RPC { Type = type } });
        return Task.FromResult(response);
    }

    public override Task<NodeGetInfoResponse> NodeGetInfo(NodeGetInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new NodeGetInfoResponse { NodeId = plugin.NodeId });

    public override async Task<NodeStageVolumeResponse> NodeStageVolume(NodeStageVolumeRequest request, ServerCallContext context)
    {
        const string rpc = nameof(NodeStageVolume);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        string staging = Validation.Require(request.StagingTargetPath, "staging_target_path", rpc);
        Validation.RequireCapability(request.VolumeCapability, rpc);
        using var volumeLock = locks.Acquire(volumeId);
        var options = VolumeOptions.FromVolumeContext(volumeId, request.VolumeContext, config);
        var credentials = Credentials.User(request.Secrets);

        var record = new StageRecord(volumeId, staging, request.VolumeCapability,
            new Dictionary<string, string>(request.VolumeContext), new Dictionary<string, string>(request.Secrets));
        await StageAsync(record, options, credentials, context.CancellationToken).ConfigureAwait(false);
        return new NodeStageVolumeResponse();
    }

    public override async Task<NodeUnstageVolumeResponse> NodeUnstageVolume(NodeUnstageVolumeRequest request, ServerCallContext context)
    {
        const string rpc = nameof(NodeUnstageVolume);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        string staging = Validation.Require(request.StagingTargetPath, "staging_target_path", rpc);
        using var volumeLock = locks.Acquire(volumeId);
        stageRecords.Forget(volumeId);
        if (MountHelper.GetState(staging) != MountState.NotMounted || mounters.DaemonOf(staging) is not null)
            await mounters.UnmountAsync(staging, context.CancellationToken).ConfigureAwait(false);
        return new NodeUnstageVolumeResponse();
    }

    public override async Task<NodePublishVolumeResponse> NodePublishVolume(NodePublishVolumeRequest request, ServerCallContext context)
    {
        const string rpc = nameof(NodePublishVolume);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        string target = Validation.Require(request.TargetPath, "target_path", rpc);
        Validation.RequireCapability(request.VolumeCapability, rpc);
        if (string.IsNullOrEmpty(request.StagingTargetPath))
            throw CsiErrors.FailedPrecondition($"{rpc}: staging_target_path is required (the driver stages volumes)");
        string staging = request.StagingTargetPath;
        using var volumeLock = locks.Acquire(volumeId);

        await RestoreStagingAsync(volumeId, staging, context.CancellationToken).ConfigureAwait(false);
        switch (MountHelper.GetState(target))
        {
            case MountState.Mounted:
                Log.AlreadyMounted(logger, volumeId, target);
                return new NodePublishVolumeResponse();
            case MountState.Corrupted:
                Log.Recovering(logger, volumeId, target, nameof(MountState.Corrupted));
                await MountHelper.UnmountAsync(target, context.CancellationToken).ConfigureAwait(false);
                break;
        }
        MountHelper.CreateMountPoint(target);
        bool readOnly = request.Readonly || Validation.IsReadOnly(request.VolumeCapability);
        var flags = request.VolumeCapability.Mount?.MountFlags.ToList() ?? [];
        await MountHelper.BindMountAsync(staging, target, readOnly, flags, context.CancellationToken).ConfigureAwait(false);
        Log.Published(logger, staging, target, readOnly ? " read-only" : "");
        return new NodePublishVolumeResponse();
    }

    public override async Task<NodeUnpublishVolumeResponse> NodeUnpublishVolume(NodeUnpublishVolumeRequest request, ServerCallContext context)
    {
        const string rpc = nameof(NodeUnpublishVolume);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        string target = Validation.Require(request.TargetPath, "target_path", rpc);
        using var volumeLock = locks.Acquire(volumeId);
        if (MountHelper.GetState(target) != MountState.NotMounted)
            await MountHelper.UnmountAsync(target, context.CancellationToken).ConfigureAwait(false);
        // the spec: the SP removes what it created at the target path
        try
        {
            Directory.Delete(target);
        }
        catch (DirectoryNotFoundException)
        {
        }
        return new NodeUnpublishVolumeResponse();
    }

    public override Task<NodeGetVolumeStatsResponse> NodeGetVolumeStats(NodeGetVolumeStatsRequest request, ServerCallContext context)
    {
        const string rpc = nameof(NodeGetVolumeStats);
        string volumeId = Validation.Require(request.VolumeId, "volume_id", rpc);
        string path = Validation.Require(request.VolumePath, "volume_path", rpc);
        int errno = LibC.StatErrno(path);
        if (errno != 0 && MountHelper.IsCorruptedErrno(errno))
        {
            return Task.FromResult(new NodeGetVolumeStatsResponse
            {
                VolumeCondition = new VolumeCondition
                {
                    Abnormal = true,
                    Message = $"{path}: {Errno.Name(errno)} ({Errno.Message(errno)}): the mount's daemon is gone; restage the volume",
                },
            });
        }
        if (errno != 0)
            throw CsiErrors.NotFound($"volume {volumeId}: {path} does not exist ({Errno.Name(errno)})");
        if (MountInfo.Find(path) is null)
            throw CsiErrors.NotFound($"volume {volumeId} is not mounted at {path}");
        if (LibC.Statfs(path, out var fs) != 0)
        {
            int statfsErrno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            return Task.FromResult(new NodeGetVolumeStatsResponse
            {
                VolumeCondition = new VolumeCondition { Abnormal = true, Message = $"statfs {path}: {Errno.Name(statfsErrno)}" },
            });
        }
        long block = fs.f_frsize > 0 ? fs.f_frsize : fs.f_bsize;
        var response = new NodeGetVolumeStatsResponse
        {
            VolumeCondition = new VolumeCondition { Abnormal = false, Message = "volume is mounted and answering" },
        };
        response.Usage.Add(new VolumeUsage
        {
            Unit = VolumeUsage.Types.Unit.Bytes,
            Total = (long)fs.f_blocks * block,
            Available = (long)fs.f_bavail * block,
            Used = (long)(fs.f_blocks - fs.f_bfree) * block,
        });
        response.Usage.Add(new VolumeUsage
        {
            Unit = VolumeUsage.Types.Unit.Inodes,
            Total = (long)fs.f_files,
            Available = (long)fs.f_ffree,
            Used = (long)(fs.f_files - Math.Min(fs.f_ffree, fs.f_files)),
        });
        return Task.FromResult(response);
    }

    /// <summary>Mounts the volume at its staging path unless it is mounted already; recovers a dead fuse mount.</summary>
    private async Task StageAsync(StageRecord record, VolumeOptions options, Credentials credentials, CancellationToken cancellation)
    {
        string staging = record.StagingPath;
        switch (MountHelper.GetState(staging))
        {
            case MountState.Mounted:
                Log.AlreadyMounted(logger, record.VolumeId, staging);
                stageRecords.Remember(record);
                return;
            case MountState.Corrupted:
                Log.Recovering(logger, record.VolumeId, staging, nameof(MountState.Corrupted));
                await mounters.UnmountAsync(staging, cancellation).ConfigureAwait(false);
                break;
        }
        bool readOnly = Validation.IsReadOnly(record.Capability);
        if (options.BackingSnapshot && !readOnly)
            throw CsiErrors.InvalidArgument($"volume {record.VolumeId} is snapshot-backed: only read-only access modes are possible");
        if (string.IsNullOrEmpty(options.RootPath) || options.BackingSnapshot)
            await Task.Run(() => ResolveRootPath(record.VolumeId, options, credentials), cancellation).ConfigureAwait(false);
        MountHelper.CreateMountPoint(staging);

        var mounter = mounters.For(options.Mounter);
        string mountOptions = mounter.MountOptions(options, readOnly);
        using (var keyFile = credentials.WriteKeyFile(plugin.KeysDirectory))
        {
            var request = new MountRequest(staging, options.MonitorList, credentials.Id, keyFile.Path, options.RootPath,
                options.FsName, plugin.CephConf, mountOptions);
            await mounters.MountAsync(mounter, request, record.VolumeId, cancellation).ConfigureAwait(false);
        }
        if (options.BackingSnapshot)
        {
            // ceph-csi's layout: the snapshot's directory under the subvolume's root, bound over the staging path
            try
            {
                await MountHelper.BindMountAsync(Path.Combine(staging, options.SnapshotRoot), staging, readOnly: true, [], cancellation)
                    .ConfigureAwait(false);
            }
            catch
            {
                await mounters.UnmountAsync(staging, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        else if (!readOnly)
        {
            File.SetUnixFileMode(staging, (UnixFileMode)0b111_111_111);
        }
        stageRecords.Remember(record);
    }

    /// <summary>
    /// NodePublish's recovery (ceph-csi v3.6): a staging path that is not a working mount is staged again from
    /// the recorded stage request, so that the bind mount that follows reaches a live daemon.
    /// </summary>
    private async Task RestoreStagingAsync(string volumeId, string staging, CancellationToken cancellation)
    {
        var state = MountHelper.GetState(staging);
        if (state == MountState.Mounted)
            return;
        var record = stageRecords.Find(volumeId);
        if (record is null || record.StagingPath != staging)
            throw CsiErrors.FailedPrecondition($"volume {volumeId} is not staged at {staging} ({state}); call NodeStageVolume first");
        Log.Recovering(logger, volumeId, staging, state.ToString());
        var options = VolumeOptions.FromVolumeContext(volumeId, record.VolumeContext, config);
        await StageAsync(record, options, Credentials.User(record.Secrets), cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// For a context without subvolumePath (older volumes), or of a snapshot-backed volume: find the subvolume (or
    /// the snapshot's parent) through the volume ID and the journal.
    /// </summary>
    private void ResolveRootPath(string volumeId, VolumeOptions options, Credentials credentials)
    {
        var decoded = options.DecodedId ?? throw CsiErrors.InvalidArgument($"volume {volumeId}: rootPath is required");
        using var admin = connector.Connect(options.MonitorList, credentials);
        using var store = VolumeStore.OpenById(admin, volumeId, decoded, options.SubvolumeGroup, plugin.InstanceId);
        var volume = store.Resolve(volumeId, decoded, options.BackingSnapshot ? null : options.SubvolumeName);
        if (options.FsName.Length == 0)
            options.FsName = volume.Subvolume.FsName;
        if (!options.BackingSnapshot)
        {
            options.RootPath = SubvolumeCore.TryGetPath(admin, volume.Subvolume)
                ?? throw CsiErrors.NotFound($"volume {volumeId}: subvolume {volume.Subvolume} does not exist");
            return;
        }
        if (!volume.IsSnapshotBacked || !VolumeId.TryDecode(volume.BackingSnapshotId, out var snapshotId, out _))
            throw CsiErrors.InvalidArgument($"volume {volumeId}: the context says backingSnapshot, the journal names no snapshot");
        var snapshot = store.ResolveSnapshot(volume.BackingSnapshotId, snapshotId);
        string parentPath = (SubvolumeCore.TryGetPath(admin, snapshot.Source)
            ?? throw CsiErrors.NotFound($"volume {volumeId}: the snapshot's subvolume {snapshot.Source} does not exist")).TrimEnd('/');
        // /volumes/<group>/<subvolume>/<uuid>: mount the subvolume's directory, show .snap/<snapshot>/<uuid> of it
        int slash = parentPath.LastIndexOf('/');
        options.RootPath = parentPath[..slash];
        options.SnapshotRoot = $".snap/{snapshot.SnapshotName}/{parentPath[(slash + 1)..]}";
    }
}

/// <summary>The node's per-volume-ID locks.</summary>
internal sealed class NodeLocks
{
    private readonly OperationLocks _locks = new();

    public OperationLocks.Releaser Acquire(string id) => _locks.Acquire(id);
}
