using Csi.V1;
using Grpc.Core;
using Mode = Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>
/// Bad requests and the gRPC codes they get, covering the cases csi-sanity checks for the capabilities we
/// advertise (missing fields, capability validation, NotFound vs OK, unserved RPCs), snapshots and content sources included.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class BadRequestTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private const string WellFormedUnknownId = "0001-000c-test-cluster-0000000000000001-00000000-0000-4000-8000-000000000000";
    private readonly CsiPluginProcess _plugin = fixture.Plugin;

    public static TheoryData<string, StatusCode> Cases => new()
    {
        { "CreateVolume without name", StatusCode.InvalidArgument },
        { "CreateVolume with a control character in the name", StatusCode.InvalidArgument },
        { "CreateVolume without capabilities", StatusCode.InvalidArgument },
        { "CreateVolume with block access", StatusCode.InvalidArgument },
        { "CreateVolume with access mode UNKNOWN", StatusCode.InvalidArgument },
        { "CreateVolume without access type", StatusCode.InvalidArgument },
        { "CreateVolume without clusterID", StatusCode.InvalidArgument },
        { "CreateVolume without fsName", StatusCode.InvalidArgument },
        { "CreateVolume with an unknown clusterID", StatusCode.InvalidArgument },
        { "CreateVolume with an unknown fsName", StatusCode.InvalidArgument },
        { "CreateVolume with an unknown mounter", StatusCode.InvalidArgument },
        { "CreateVolume without secrets", StatusCode.InvalidArgument },
        { "CreateVolume with a wrong adminKey", StatusCode.PermissionDenied },
        { "CreateVolume with a key without mgr caps", StatusCode.PermissionDenied },
        { "CreateVolume with required above limit", StatusCode.InvalidArgument },
        { "CreateVolume with a limit below 4 MiB", StatusCode.OutOfRange },
        { "CreateVolume from a snapshot without snapshot_id", StatusCode.InvalidArgument },
        { "CreateVolume from a volume without volume_id", StatusCode.InvalidArgument },
        { "CreateVolume from a snapshot ID that is not ceph-csi's", StatusCode.NotFound },
        { "CreateVolume from an unknown snapshot", StatusCode.NotFound },
        { "CreateVolume from an unknown volume", StatusCode.NotFound },
        { "CreateVolume with backingSnapshot and no snapshot source", StatusCode.InvalidArgument },
        { "CreateVolume with backingSnapshot and a writable access mode", StatusCode.InvalidArgument },
        { "CreateVolume with a backingSnapshot that is not a boolean", StatusCode.InvalidArgument },
        { "CreateSnapshot without name", StatusCode.InvalidArgument },
        { "CreateSnapshot with a control character in the name", StatusCode.InvalidArgument },
        { "CreateSnapshot without source_volume_id", StatusCode.InvalidArgument },
        { "CreateSnapshot without secrets", StatusCode.InvalidArgument },
        { "CreateSnapshot of a source ID that is not ceph-csi's", StatusCode.NotFound },
        { "CreateSnapshot of an unknown source volume", StatusCode.NotFound },
        { "CreateSnapshot with another clusterID than the source's", StatusCode.InvalidArgument },
        { "DeleteSnapshot without snapshot_id", StatusCode.InvalidArgument },
        { "DeleteSnapshot without secrets", StatusCode.InvalidArgument },
        { "DeleteSnapshot of an invalid ID", StatusCode.OK },
        { "DeleteSnapshot of an unknown ID", StatusCode.OK },
        { "ListSnapshots (not served)", StatusCode.Unimplemented },
        { "DeleteVolume without volume_id", StatusCode.InvalidArgument },
        { "DeleteVolume without secrets", StatusCode.InvalidArgument },
        { "DeleteVolume of an invalid ID", StatusCode.OK },
        { "DeleteVolume of an unknown ID", StatusCode.OK },
        { "ControllerExpandVolume without volume_id", StatusCode.InvalidArgument },
        { "ControllerExpandVolume without capacity_range", StatusCode.InvalidArgument },
        { "ControllerExpandVolume of an invalid ID", StatusCode.NotFound },
        { "ControllerExpandVolume of an unknown ID", StatusCode.NotFound },
        { "ValidateVolumeCapabilities without volume_id", StatusCode.InvalidArgument },
        { "ValidateVolumeCapabilities without capabilities", StatusCode.InvalidArgument },
        { "ValidateVolumeCapabilities of an invalid ID", StatusCode.NotFound },
        { "ValidateVolumeCapabilities of an unknown ID", StatusCode.NotFound },
        { "NodeStageVolume without volume_id", StatusCode.InvalidArgument },
        { "NodeStageVolume without staging_target_path", StatusCode.InvalidArgument },
        { "NodeStageVolume without capability", StatusCode.InvalidArgument },
        { "NodeStageVolume with block access", StatusCode.InvalidArgument },
        { "NodeStageVolume without user secrets", StatusCode.InvalidArgument },
        { "NodeStageVolume of an ID that is not ceph-csi's", StatusCode.NotFound },
        { "NodeStageVolume of a static volume without rootPath", StatusCode.InvalidArgument },
        { "NodeStageVolume with an unknown clusterID", StatusCode.InvalidArgument },
        { "NodeStageVolume of an unknown volume", StatusCode.NotFound },
        { "NodeUnstageVolume without volume_id", StatusCode.InvalidArgument },
        { "NodeUnstageVolume without staging_target_path", StatusCode.InvalidArgument },
        { "NodeUnstageVolume of a path never staged", StatusCode.OK },
        { "NodePublishVolume without volume_id", StatusCode.InvalidArgument },
        { "NodePublishVolume without target_path", StatusCode.InvalidArgument },
        { "NodePublishVolume without capability", StatusCode.InvalidArgument },
        { "NodePublishVolume without staging_target_path", StatusCode.FailedPrecondition },
        { "NodePublishVolume of a volume not staged", StatusCode.FailedPrecondition },
        { "NodeUnpublishVolume without volume_id", StatusCode.InvalidArgument },
        { "NodeUnpublishVolume without target_path", StatusCode.InvalidArgument },
        { "NodeUnpublishVolume of a path never published", StatusCode.OK },
        { "NodeGetVolumeStats without volume_id", StatusCode.InvalidArgument },
        { "NodeGetVolumeStats without volume_path", StatusCode.InvalidArgument },
        { "NodeGetVolumeStats of a missing path", StatusCode.NotFound },
        { "NodeGetVolumeStats of a path that is not a mount", StatusCode.NotFound },
        { "ListVolumes (not served)", StatusCode.Unimplemented },
        { "ControllerPublishVolume (not served)", StatusCode.Unimplemented },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnswersWithTheSpecCode(string scenario, StatusCode expected)
    {
        var actual = StatusCode.OK;
        string detail = "";
        try
        {
            await Send(scenario);
        }
        catch (RpcException e)
        {
            actual = e.StatusCode;
            detail = e.Status.Detail;
        }
        Assert.True(expected == actual, $"{scenario}: expected {expected}, got {actual}: {detail}");
        if (actual != StatusCode.OK)
        {
            Assert.False(string.IsNullOrWhiteSpace(detail), "an error needs a message");
            Assert.DoesNotContain(CsiPluginProcess.AdminSecrets()["adminKey"], detail, StringComparison.Ordinal);
            Assert.DoesNotContain(CsiPluginProcess.UserSecrets()["userKey"], detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task IdentityAndCapabilities()
    {
        var info = await _plugin.Identity.GetPluginInfoAsync(new GetPluginInfoRequest());
        Assert.Equal("cephfs.csi.ceph.com", info.Name);
        Assert.False(string.IsNullOrEmpty(info.VendorVersion));
        var plugin = await _plugin.Identity.GetPluginCapabilitiesAsync(new GetPluginCapabilitiesRequest());
        Assert.Contains(plugin.Capabilities, c => c.Service?.Type == PluginCapability.Types.Service.Types.Type.ControllerService);
        Assert.Contains(plugin.Capabilities, c => c.VolumeExpansion?.Type == PluginCapability.Types.VolumeExpansion.Types.Type.Online);
        Assert.True((await _plugin.Identity.ProbeAsync(new ProbeRequest())).Ready);
        var controller = await _plugin.Controller.ControllerGetCapabilitiesAsync(new ControllerGetCapabilitiesRequest());
        Assert.Equal([ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteVolume, ControllerServiceCapability.Types.RPC.Types.Type.ExpandVolume,
            ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteSnapshot, ControllerServiceCapability.Types.RPC.Types.Type.CloneVolume],
            controller.Capabilities.Select(c => c.Rpc.Type));
        var node = await _plugin.Node.NodeGetCapabilitiesAsync(new NodeGetCapabilitiesRequest());
        Assert.Equal([NodeServiceCapability.Types.RPC.Types.Type.StageUnstageVolume, NodeServiceCapability.Types.RPC.Types.Type.GetVolumeStats,
            NodeServiceCapability.Types.RPC.Types.Type.VolumeCondition], node.Capabilities.Select(c => c.Rpc.Type));
        Assert.Equal("test-node", (await _plugin.Node.NodeGetInfoAsync(new NodeGetInfoRequest())).NodeId);
    }

    [Fact]
    public async Task ValidateVolumeCapabilitiesConfirmsWhatCephFsServes()
    {
        var volume = await TestVolumes.CreateAsync(_plugin, "pvc-validate-" + Guid.NewGuid().ToString("N")[..8], CsiPluginProcess.GiB);
        try
        {
            var request = new ValidateVolumeCapabilitiesRequest
            {
                VolumeId = volume.VolumeId,
                VolumeCapabilities = { CsiPluginProcess.MountCapability(), CsiPluginProcess.MountCapability(Mode.SingleNodeReaderOnly) },
                VolumeContext = { volume.VolumeContext },
                Secrets = { CsiPluginProcess.AdminSecrets() },
            };
            var confirmed = await _plugin.Controller.ValidateVolumeCapabilitiesAsync(request);
            Assert.NotNull(confirmed.Confirmed);
            Assert.Equal(2, confirmed.Confirmed.VolumeCapabilities.Count);
            request.VolumeCapabilities.Add(new VolumeCapability
            {
                Block = new VolumeCapability.Types.BlockVolume(),
                AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
            });
            var refused = await _plugin.Controller.ValidateVolumeCapabilitiesAsync(request);
            Assert.Null(refused.Confirmed);
            Assert.Contains("block", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await TestVolumes.DeleteAsync(_plugin, volume.VolumeId);
        }
    }

    private async Task Send(string scenario)
    {
        var controller = _plugin.Controller;
        var node = _plugin.Node;
        var admin = CsiPluginProcess.AdminSecrets();
        var user = CsiPluginProcess.UserSecrets();
        CreateVolumeRequest Create(Action<CreateVolumeRequest> edit)
        {
            var request = CsiPluginProcess.CreateRequest("pvc-bad-" + Guid.NewGuid().ToString("N")[..8], CsiPluginProcess.GiB);
            edit(request);
            return request;
        }
        NodeStageVolumeRequest Stage(Action<NodeStageVolumeRequest> edit)
        {
            var request = new NodeStageVolumeRequest
            {
                VolumeId = WellFormedUnknownId,
                StagingTargetPath = _plugin.NewPath("staging"),
                VolumeCapability = CsiPluginProcess.MountCapability(),
                VolumeContext = { ["clusterID"] = CsiPluginProcess.ClusterId },
                Secrets = { user },
            };
            edit(request);
            return request;
        }
        NodePublishVolumeRequest Publish(Action<NodePublishVolumeRequest> edit)
        {
            var request = new NodePublishVolumeRequest
            {
                VolumeId = WellFormedUnknownId,
                StagingTargetPath = _plugin.NewPath("staging"),
                TargetPath = _plugin.NewPath("target"),
                VolumeCapability = CsiPluginProcess.MountCapability(),
            };
            edit(request);
            return request;
        }
        CreateSnapshotRequest Snap(Action<CreateSnapshotRequest> edit)
        {
            var request = new CreateSnapshotRequest
            {
                Name = "snap-bad-" + Guid.NewGuid().ToString("N")[..8],
                SourceVolumeId = LocalUnknownId(),
                Parameters = { ["clusterID"] = CsiPluginProcess.ClusterId },
                Secrets = { admin },
            };
            edit(request);
            return request;
        }
        var block = new VolumeCapability
        {
            Block = new VolumeCapability.Types.BlockVolume(),
            AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
        };
        switch (scenario)
        {
            case "CreateVolume without name": await controller.CreateVolumeAsync(Create(r => r.Name = "")); break;
            case "CreateVolume with a control character in the name": await controller.CreateVolumeAsync(Create(r => r.Name = "bad\u0001name")); break;
            case "CreateVolume without capabilities": await controller.CreateVolumeAsync(Create(r => r.VolumeCapabilities.Clear())); break;
            case "CreateVolume with block access": await controller.CreateVolumeAsync(Create(r => r.VolumeCapabilities.Add(block))); break;
            case "CreateVolume with access mode UNKNOWN": await controller.CreateVolumeAsync(Create(r => r.VolumeCapabilities.Add(CsiPluginProcess.MountCapability(Mode.Unknown)))); break;
            case "CreateVolume without access type": await controller.CreateVolumeAsync(Create(r => r.VolumeCapabilities.Add(new VolumeCapability { AccessMode = new() { Mode = Mode.SingleNodeWriter } }))); break;
            case "CreateVolume without clusterID": await controller.CreateVolumeAsync(Create(r => r.Parameters.Remove("clusterID"))); break;
            case "CreateVolume without fsName": await controller.CreateVolumeAsync(Create(r => r.Parameters.Remove("fsName"))); break;
            case "CreateVolume with an unknown clusterID": await controller.CreateVolumeAsync(Create(r => r.Parameters["clusterID"] = "nowhere")); break;
            case "CreateVolume with an unknown fsName": await controller.CreateVolumeAsync(Create(r => r.Parameters["fsName"] = "no-such-fs")); break;
            case "CreateVolume with an unknown mounter": await controller.CreateVolumeAsync(Create(r => r.Parameters["mounter"] = "nfs")); break;
            case "CreateVolume without secrets": await controller.CreateVolumeAsync(Create(r => r.Secrets.Clear())); break;
            case "CreateVolume with a wrong adminKey": await controller.CreateVolumeAsync(Create(r => r.Secrets["adminKey"] = "AQBw3Xxl7lKfLRAAm6VUVa7e4bm1m8lL2n2ZoQ==")); break;
            case "CreateVolume with a key without mgr caps":
                await controller.CreateVolumeAsync(Create(r =>
                {
                    r.Secrets["adminID"] = CsiPluginProcess.Env.UserId;
                    r.Secrets["adminKey"] = TestSupport.ClusterEnv.ReadKey(CsiPluginProcess.Env.UserKeyFile);
                }));
                break;
            case "CreateVolume with required above limit": await controller.CreateVolumeAsync(Create(r => r.CapacityRange = new() { RequiredBytes = 2 << 20 << 10, LimitBytes = 1 << 30 })); break;
            case "CreateVolume with a limit below 4 MiB": await controller.CreateVolumeAsync(Create(r => r.CapacityRange = new() { LimitBytes = 1 << 20 })); break;
            case "CreateVolume from a snapshot without snapshot_id": await controller.CreateVolumeAsync(Create(r => r.VolumeContentSource = new() { Snapshot = new() })); break;
            case "CreateVolume from a volume without volume_id": await controller.CreateVolumeAsync(Create(r => r.VolumeContentSource = new() { Volume = new() })); break;
            case "CreateVolume from a snapshot ID that is not ceph-csi's": await controller.CreateVolumeAsync(Create(r => r.VolumeContentSource = new() { Snapshot = new() { SnapshotId = "snap" } })); break;
            case "CreateVolume from an unknown snapshot": await controller.CreateVolumeAsync(Create(r => r.VolumeContentSource = new() { Snapshot = new() { SnapshotId = LocalUnknownId() } })); break;
            case "CreateVolume from an unknown volume": await controller.CreateVolumeAsync(Create(r => r.VolumeContentSource = new() { Volume = new() { VolumeId = LocalUnknownId() } })); break;
            case "CreateVolume with backingSnapshot and no snapshot source": await controller.CreateVolumeAsync(Create(r => r.Parameters["backingSnapshot"] = "true")); break;
            case "CreateVolume with backingSnapshot and a writable access mode":
                await controller.CreateVolumeAsync(Create(r =>
                {
                    r.Parameters["backingSnapshot"] = "true";
                    r.VolumeContentSource = new() { Snapshot = new() { SnapshotId = LocalUnknownId() } };
                }));
                break;
            case "CreateVolume with a backingSnapshot that is not a boolean": await controller.CreateVolumeAsync(Create(r => r.Parameters["backingSnapshot"] = "yes please")); break;
            case "CreateSnapshot without name": await controller.CreateSnapshotAsync(Snap(r => r.Name = "")); break;
            case "CreateSnapshot with a control character in the name": await controller.CreateSnapshotAsync(Snap(r => r.Name = "snap\u0007")); break;
            case "CreateSnapshot without source_volume_id": await controller.CreateSnapshotAsync(Snap(r => r.SourceVolumeId = "")); break;
            case "CreateSnapshot without secrets": await controller.CreateSnapshotAsync(Snap(r => r.Secrets.Clear())); break;
            case "CreateSnapshot of a source ID that is not ceph-csi's": await controller.CreateSnapshotAsync(Snap(r => r.SourceVolumeId = "fake-vol-id")); break;
            case "CreateSnapshot of an unknown source volume": await controller.CreateSnapshotAsync(Snap(_ => { })); break;
            case "CreateSnapshot with another clusterID than the source's": await controller.CreateSnapshotAsync(Snap(r => r.Parameters["clusterID"] = "elsewhere")); break;
            case "DeleteSnapshot without snapshot_id": await controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { Secrets = { admin } }); break;
            case "DeleteSnapshot without secrets": await controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = LocalUnknownId() }); break;
            case "DeleteSnapshot of an invalid ID": await controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = "reallyfakesnapshotid", Secrets = { admin } }); break;
            case "DeleteSnapshot of an unknown ID": await controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = LocalUnknownId(), Secrets = { admin } }); break;
            case "ListSnapshots (not served)": await Unserved("/csi.v1.Controller/ListSnapshots"); break;
            case "DeleteVolume without volume_id": await controller.DeleteVolumeAsync(new DeleteVolumeRequest { Secrets = { admin } }); break;
            case "DeleteVolume without secrets": await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = WellFormedUnknownId }); break;
            case "DeleteVolume of an invalid ID": await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = "reallyfakevolumeid", Secrets = { admin } }); break;
            case "DeleteVolume of an unknown ID": await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = WellFormedUnknownId, Secrets = { admin } }); break;
            case "ControllerExpandVolume without volume_id": await controller.ControllerExpandVolumeAsync(new() { CapacityRange = new() { RequiredBytes = 1 << 30 }, Secrets = { admin } }); break;
            case "ControllerExpandVolume without capacity_range": await controller.ControllerExpandVolumeAsync(new() { VolumeId = WellFormedUnknownId, Secrets = { admin } }); break;
            case "ControllerExpandVolume of an invalid ID": await controller.ControllerExpandVolumeAsync(new() { VolumeId = "fake", CapacityRange = new() { RequiredBytes = 1 << 30 }, Secrets = { admin } }); break;
            case "ControllerExpandVolume of an unknown ID": await controller.ControllerExpandVolumeAsync(new() { VolumeId = WellFormedUnknownId, CapacityRange = new() { RequiredBytes = 1 << 30 }, Secrets = { admin } }); break;
            case "ValidateVolumeCapabilities without volume_id": await controller.ValidateVolumeCapabilitiesAsync(new() { VolumeCapabilities = { CsiPluginProcess.MountCapability() } }); break;
            case "ValidateVolumeCapabilities without capabilities": await controller.ValidateVolumeCapabilitiesAsync(new() { VolumeId = WellFormedUnknownId }); break;
            case "ValidateVolumeCapabilities of an invalid ID": await controller.ValidateVolumeCapabilitiesAsync(new() { VolumeId = "some-vol-id", VolumeCapabilities = { CsiPluginProcess.MountCapability() } }); break;
            case "ValidateVolumeCapabilities of an unknown ID": await controller.ValidateVolumeCapabilitiesAsync(new() { VolumeId = WellFormedUnknownId, VolumeCapabilities = { CsiPluginProcess.MountCapability() }, Secrets = { admin } }); break;
            case "NodeStageVolume without volume_id": await node.NodeStageVolumeAsync(Stage(r => r.VolumeId = "")); break;
            case "NodeStageVolume without staging_target_path": await node.NodeStageVolumeAsync(Stage(r => r.StagingTargetPath = "")); break;
            case "NodeStageVolume without capability": await node.NodeStageVolumeAsync(Stage(r => r.VolumeCapability = null)); break;
            case "NodeStageVolume with block access": await node.NodeStageVolumeAsync(Stage(r => r.VolumeCapability = block)); break;
            case "NodeStageVolume without user secrets": await node.NodeStageVolumeAsync(Stage(r => r.Secrets.Clear())); break;
            case "NodeStageVolume of an ID that is not ceph-csi's": await node.NodeStageVolumeAsync(Stage(r => r.VolumeId = "fake-vol-id")); break;
            case "NodeStageVolume of a static volume without rootPath": await node.NodeStageVolumeAsync(Stage(r => r.VolumeContext["staticVolume"] = "true")); break;
            case "NodeStageVolume with an unknown clusterID": await node.NodeStageVolumeAsync(Stage(r => r.VolumeContext["clusterID"] = "nowhere")); break;
            case "NodeStageVolume of an unknown volume": await node.NodeStageVolumeAsync(Stage(_ => { })); break;
            case "NodeUnstageVolume without volume_id": await node.NodeUnstageVolumeAsync(new() { StagingTargetPath = _plugin.NewPath("s") }); break;
            case "NodeUnstageVolume without staging_target_path": await node.NodeUnstageVolumeAsync(new() { VolumeId = WellFormedUnknownId }); break;
            case "NodeUnstageVolume of a path never staged": await node.NodeUnstageVolumeAsync(new() { VolumeId = WellFormedUnknownId, StagingTargetPath = _plugin.NewPath("s") }); break;
            case "NodePublishVolume without volume_id": await node.NodePublishVolumeAsync(Publish(r => r.VolumeId = "")); break;
            case "NodePublishVolume without target_path": await node.NodePublishVolumeAsync(Publish(r => r.TargetPath = "")); break;
            case "NodePublishVolume without capability": await node.NodePublishVolumeAsync(Publish(r => r.VolumeCapability = null)); break;
            case "NodePublishVolume without staging_target_path": await node.NodePublishVolumeAsync(Publish(r => r.StagingTargetPath = "")); break;
            case "NodePublishVolume of a volume not staged": await node.NodePublishVolumeAsync(Publish(_ => { })); break;
            case "NodeUnpublishVolume without volume_id": await node.NodeUnpublishVolumeAsync(new() { TargetPath = _plugin.NewPath("t") }); break;
            case "NodeUnpublishVolume without target_path": await node.NodeUnpublishVolumeAsync(new() { VolumeId = WellFormedUnknownId }); break;
            case "NodeUnpublishVolume of a path never published": await node.NodeUnpublishVolumeAsync(new() { VolumeId = WellFormedUnknownId, TargetPath = _plugin.NewPath("t") }); break;
            case "NodeGetVolumeStats without volume_id": await node.NodeGetVolumeStatsAsync(new() { VolumePath = "some/path" }); break;
            case "NodeGetVolumeStats without volume_path": await node.NodeGetVolumeStatsAsync(new() { VolumeId = WellFormedUnknownId }); break;
            case "NodeGetVolumeStats of a missing path": await node.NodeGetVolumeStatsAsync(new() { VolumeId = WellFormedUnknownId, VolumePath = "some/path" }); break;
            case "NodeGetVolumeStats of a path that is not a mount": await node.NodeGetVolumeStatsAsync(new() { VolumeId = WellFormedUnknownId, VolumePath = _plugin.Directory }); break;
            case "ListVolumes (not served)": await Unserved("/csi.v1.Controller/ListVolumes"); break;
            case "ControllerPublishVolume (not served)": await Unserved("/csi.v1.Controller/ControllerPublishVolume"); break;
            default: throw new ArgumentException("unknown scenario " + scenario);
        }
    }

    /// <summary>A well-formed ID on this cluster's file system whose UUID no journal entry has.</summary>
    private static string LocalUnknownId()
    {
        using var admin = CsiPluginProcess.ConnectAdmin();
        long fscid = admin.GetFileSystem(CsiPluginProcess.Env.FsName).Id;
        return ManagedCephFuse.CsiPlugin.Store.VolumeId.Create(CsiPluginProcess.ClusterId, fscid, Guid.NewGuid().ToString("D")).Encode();
    }

    /// <summary>Calls an RPC of the spec that this driver does not serve (an empty request is valid protobuf).</summary>
    private async Task Unserved(string fullName)
    {
        string[] parts = fullName.Split('/');
        var method = new Method<ProbeRequest, ProbeResponse>(MethodType.Unary, parts[1], parts[2],
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), ProbeRequest.Parser.ParseFrom),
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), ProbeResponse.Parser.ParseFrom));
        await _plugin.CallInvoker.AsyncUnaryCall(method, null, new CallOptions(), new ProbeRequest());
    }
}
