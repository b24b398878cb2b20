using System.Diagnostics.Metrics;
using Csi.V1;
using ManagedCephFuse.CsiPlugin.Config;
using ManagedCephFuse.CsiPlugin.Metrics;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Secrets;
using ManagedCephFuse.CsiPlugin.Services;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Tests;

[Trait("Category", "Unit")]
public sealed class VolumeIdTests
{
    // an ID in ceph-csi's format, as the Go driver prints it for clusterID "rook-ceph" and fscid 1
    private const string GoSample = "0001-0009-rook-ceph-0000000000000001-b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2a";

    [Fact]
    public void DecodesACephCsiSample()
    {
        Assert.True(VolumeId.TryDecode(GoSample, out var id, out string error), error);
        Assert.Equal(1, id.EncodingVersion);
        Assert.Equal("rook-ceph", id.ClusterId);
        Assert.Equal(1, id.LocationId);
        Assert.Equal("b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2a", id.ObjectUuid);
        Assert.Equal(GoSample, id.Encode());
    }

    [Theory]
    [InlineData("c934939f-cb9e-4ab8-9a59-333b60f4e8e9", 7L,
        "0001-0024-c934939f-cb9e-4ab8-9a59-333b60f4e8e9-0000000000000007-3a1e2b4c-5d6e-4f70-8192-a3b4c5d6e7f8")]
    [InlineData("x", 0x1234_5678_9abcL, "0001-0001-x-0000123456789abc-3a1e2b4c-5d6e-4f70-8192-a3b4c5d6e7f8")]
    [InlineData("neg", -1L, "0001-0003-neg-ffffffffffffffff-3a1e2b4c-5d6e-4f70-8192-a3b4c5d6e7f8")]
    public void EncodesExactlyAsTheGoDriver(string clusterId, long fscid, string expected)
    {
        var id = VolumeId.Create(clusterId, fscid, "3a1e2b4c-5d6e-4f70-8192-a3b4c5d6e7f8");
        Assert.Equal(expected, id.Encode());
        Assert.True(VolumeId.TryDecode(expected, out var back, out _));
        Assert.Equal(id, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("reallyfakevolumeid")]
    [InlineData("0001-0009-rook-ceph-0000000000000001-b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2")]   // uuid short
    [InlineData("0001-000a-rook-ceph-0000000000000001-b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2a")]  // wrong length
    [InlineData("0001-0009-rook-ceph-00000000000000zz-b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2a")]  // not hex
    [InlineData("00010009-rook-ceph-0000000000000001-b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2a-")]  // separators
    [InlineData("0001-0009-rook-ceph-0000000000000001-not-a-uuid-at-all-xxxxxxxxxxxxxxxxxx")]
    public void RejectsWhatIsNotACephCsiId(string text)
    {
        Assert.False(VolumeId.TryDecode(text, out _, out string error));
        Assert.StartsWith("not a ceph-csi volume ID", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAClusterIdThatDoesNotFit()
    {
        var id = VolumeId.Create(new string('c', 65), 1, "3a1e2b4c-5d6e-4f70-8192-a3b4c5d6e7f8");
        Assert.Throws<FormatException>(() => id.Encode());
        Assert.Equal(128, VolumeId.Create(new string('c', 64), 1, "3a1e2b4c-5d6e-4f70-8192-a3b4c5d6e7f8").Encode().Length);
    }
}

[Trait("Category", "Unit")]
public sealed class MounterCommandLineTests
{
    private static readonly MountRequest Request = new("/var/lib/kubelet/staging", "10.0.0.1:6789,10.0.0.2:6789", "csi-node",
        "/tmp/csi/keys/keyfile-0123", "/volumes/csi/csi-vol-x/uuid", "cephfs", "/etc/ceph/ceph.conf", "debug,allow_root");

    [Fact]
    public void FuseMounterBuildsCephCsisCommandLine()
    {
        Assert.Equal(
            ["/var/lib/kubelet/staging", "-m", "10.0.0.1:6789,10.0.0.2:6789", "-c", "/etc/ceph/ceph.conf", "-n", "client.csi-node",
             "--keyfile=/tmp/csi/keys/keyfile-0123", "-r", "/volumes/csi/csi-vol-x/uuid", "-o", "nonempty,debug,allow_root",
             "--client_mds_namespace=cephfs"],
            FuseMounter.BuildArguments(Request));
        Assert.Equal(["-o", "nonempty"],
            FuseMounter.BuildArguments(Request with { Options = "", FsName = "" }).Skip(10).ToList());
    }

    [Fact]
    public void KernelMounterBuildsMountTCeph()
    {
        Assert.Equal(
            ["-t", "ceph", "10.0.0.1:6789,10.0.0.2:6789:/volumes/csi/csi-vol-x/uuid", "/var/lib/kubelet/staging", "-o",
             "name=csi-node,secretfile=/tmp/csi/keys/keyfile-0123,mds_namespace=cephfs,debug,allow_root,_netdev"],
            KernelMounter.BuildArguments(Request));
        Assert.Equal("name=csi-node,secretfile=/tmp/csi/keys/keyfile-0123,_netdev",
            KernelMounter.BuildArguments(Request with { Options = "", FsName = "" })[^1]);
    }

    [Fact]
    public async Task KernelMounterRefusesThisKernelWithAClearReason()
    {
        bool kernelHasCeph = File.ReadLines("/proc/filesystems").Any(l => l.EndsWith("\tceph", StringComparison.Ordinal));
        string? reason = await new KernelMounter(forceKernelClient: false).UnavailableReasonAsync(CancellationToken.None);
        if (kernelHasCeph)
            Assert.Null(reason);
        else
            Assert.Contains("ceph filesystem not supported", reason, StringComparison.Ordinal);
    }
}

[Trait("Category", "Unit")]
public sealed class CapacityAndValidationTests
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData(0L, 0L, 0L)]
    [InlineData(1L, 0L, 4 * MiB)]
    [InlineData(1024 * MiB, 0L, 1024 * MiB)]
    [InlineData(1025 * MiB, 0L, 1028 * MiB)]
    [InlineData(0L, 10 * MiB, 8 * MiB)]
    [InlineData(5 * MiB, 8 * MiB, 8 * MiB)]
    public void RoundsToMultiplesOf4MiB(long required, long limit, long expected) =>
        Assert.Equal(expected, CapacitySizes.Requested(new CapacityRange { RequiredBytes = required, LimitBytes = limit }, "t"));

    [Theory]
    [InlineData(-1L, 0L, Grpc.Core.StatusCode.InvalidArgument)]
    [InlineData(10L, 5L, Grpc.Core.StatusCode.InvalidArgument)]
    [InlineData(5 * MiB, 6 * MiB, Grpc.Core.StatusCode.OutOfRange)]
    [InlineData(0L, 1 * MiB, Grpc.Core.StatusCode.OutOfRange)]
    public void RefusesImpossibleRanges(long required, long limit, Grpc.Core.StatusCode code) =>
        Assert.Equal(code, Assert.Throws<Grpc.Core.RpcException>(() =>
            CapacitySizes.Requested(new CapacityRange { RequiredBytes = required, LimitBytes = limit }, "t")).StatusCode);

    [Fact]
    public void ExistingQuotaCompatibility()
    {
        Assert.True(CapacitySizes.Satisfies(1 << 30, new CapacityRange { RequiredBytes = 1 << 30 }));
        Assert.False(CapacitySizes.Satisfies(1 << 30, new CapacityRange { RequiredBytes = 2L << 30, LimitBytes = 2L << 30 }));
        Assert.False(CapacitySizes.Satisfies(2L << 30, new CapacityRange { LimitBytes = 1 << 30 }));
        Assert.True(CapacitySizes.Satisfies(null, new CapacityRange { RequiredBytes = 1 << 30 }));
        Assert.False(CapacitySizes.Satisfies(null, new CapacityRange { LimitBytes = 1 << 30 }));
    }

    [Fact]
    public void CapabilityProblems()
    {
        Assert.Null(Validation.Problem(CsiPluginProcess.MountCapability()));
        Assert.NotNull(Validation.Problem(new VolumeCapability
        {
            Block = new VolumeCapability.Types.BlockVolume(),
            AccessMode = new VolumeCapability.Types.AccessMode { Mode = VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeWriter },
        }));
        Assert.NotNull(Validation.Problem(new VolumeCapability { Mount = new VolumeCapability.Types.MountVolume() }));
        Assert.NotNull(Validation.Problem(CsiPluginProcess.MountCapability(VolumeCapability.Types.AccessMode.Types.Mode.Unknown)));
        Assert.True(Validation.IsReadOnly(CsiPluginProcess.MountCapability(VolumeCapability.Types.AccessMode.Types.Mode.MultiNodeReaderOnly)));
    }
}

[Trait("Category", "Unit")]
public sealed class UtilTests
{
    [Fact]
    public void ParsesCephCsiFlags()
    {
        var options = PluginOptions.Parse(["--type=cephfs", "--endpoint=unix:///csi/csi.sock", "--nodeid", "n1", "--nodeserver",
            "--v=5", "--instanceid=abc", "--forcecephkernelclient=true"]);
        Assert.Equal("/csi/csi.sock", options.SocketPath);
        Assert.Equal("n1", options.NodeId);
        Assert.True(options.RunsNode);
        Assert.False(options.RunsController);
        Assert.True(options.ForceKernelClient);
        Assert.Equal("abc", options.InstanceId);
        Assert.Equal(["v"], options.IgnoredFlagsSeen);
        Assert.Equal("cephfs.csi.ceph.com", options.DriverName);
        var both = PluginOptions.Parse(["--nodeid=n"]);
        Assert.True(both.RunsController && both.RunsNode);
    }

    [Theory]
    [InlineData("--type=rbd")]
    [InlineData("--endpoint=tcp://127.0.0.1:1")]
    [InlineData("--endpoint=unix://relative.sock")]
    [InlineData("--no-such-flag=1")]
    [InlineData("--nodeserver=maybe")]
    public void RefusesBadFlags(string flag) =>
        Assert.Throws<FormatException>(() => PluginOptions.Parse(["--nodeid=n", flag]));

    [Fact]
    public void NodeServerNeedsANodeId() =>
        Assert.Throws<FormatException>(() => PluginOptions.Parse(["--nodeserver"]));

    [Fact]
    public void MountInfoUnescapesOctal() =>
        Assert.Equal("/mnt/with space\\tab", MountInfo.Unescape("/mnt/with\\040space\\134tab"));

    [Fact]
    public void KeyFilesAre0600AndRemovedOnDispose()
    {
        string directory = Path.Combine(Path.GetTempPath(), "keyfile-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path;
            using (var key = KeyFile.Create(directory, "AQBw3Xxl7lKfLRAAm6VUVa7e4bm1m8lL2n2ZoQ=="))
            {
                path = key.Path;
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                Assert.Equal("AQBw3Xxl7lKfLRAAm6VUVa7e4bm1m8lL2n2ZoQ==", File.ReadAllText(path));
            }
            Assert.False(File.Exists(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void OperationLocksRefuseASecondHolder()
    {
        var locks = new OperationLocks();
        using (var first = locks.Acquire("vol-1"))
        {
            Assert.Null(locks.TryAcquire("vol-1"));
            var aborted = Assert.Throws<Grpc.Core.RpcException>(() => locks.Acquire("vol-1"));
            Assert.Equal(Grpc.Core.StatusCode.Aborted, aborted.StatusCode);
            Assert.Equal("an operation with the given Volume ID vol-1 already exists", aborted.Status.Detail);
            using var other = locks.Acquire("vol-2");
        }
        using var again = locks.Acquire("vol-1");
    }

    [Fact]
    public void RpcMetricsCountAndTimeEachRpc()
    {
        var seen = new List<(string Instrument, double Value, string? Method, string? Code)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RpcMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? method = null, code = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "rpc.method") method = (string?)tag.Value;
                if (tag.Key == "rpc.grpc.status_code") code = (string?)tag.Value;
            }
            lock (seen)
                seen.Add((instrument.Name, value, method, code));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        using var metrics = new RpcMetrics();
        metrics.Started("/csi.v1.Node/NodeStageVolume");
        metrics.Finished("/csi.v1.Node/NodeStageVolume", "Aborted", TimeSpan.FromMilliseconds(250));
        lock (seen)
        {
            Assert.Contains(("csi.rpc.requests", 1.0, "/csi.v1.Node/NodeStageVolume", "Aborted"), seen);
            Assert.Contains(("csi.rpc.duration", 0.25, "/csi.v1.Node/NodeStageVolume", "Aborted"), seen);
            Assert.Contains(("csi.rpc.active", 1.0, "/csi.v1.Node/NodeStageVolume", null), seen);
            Assert.Contains(("csi.rpc.active", -1.0, "/csi.v1.Node/NodeStageVolume", null), seen);
        }
    }
}

[Trait("Category", "Unit")]
public sealed class MonitorAddressTests
{
    [Theory]
    [InlineData("10.0.0.1:6789", "v1:10.0.0.1:6789")]
    [InlineData("10.0.0.1:6789,10.0.0.2:16789", "v1:10.0.0.1:6789,v1:10.0.0.2:16789")]
    [InlineData("10.0.0.1:3300", "10.0.0.1:3300")]
    [InlineData("v2:10.0.0.1:3300,v1:10.0.0.1:6789", "v2:10.0.0.1:3300,v1:10.0.0.1:6789")]
    [InlineData("[v2:10.0.0.1:3300,v1:10.0.0.1:6789]", "[v2:10.0.0.1:3300,v1:10.0.0.1:6789]")]
    [InlineData("mon.example", "mon.example")]
    public void ConfigJsonMonitorsAreSpelledAsV1ForLibrados(string config, string expected) =>
        Assert.Equal(expected, ManagedCephFuse.CsiPlugin.Core.CephConnector.LibradosMonHost(config));
}

[Trait("Category", "Unit")]
public sealed class SnapshotLogicTests
{
    [Theory]
    [InlineData("2026-12-03 09:46:45.921128", "2026-12-03T09:46:45.9211280+00:00")]
    [InlineData("2024-01-02 03:04:05", "2024-01-02T03:04:05.0000000+00:00")]
    public void SnapshotCreationTimesAreTheMgrsUtc(string createdAt, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            ManagedCephFuse.CsiPlugin.Core.SnapshotCore.ParseCreatedAt(createdAt));

    [Fact]
    public void AnUnknownCreationTimeIsAnInternalFailure() =>
        Assert.Equal(ManagedCephFuse.CsiPlugin.Core.Failure.Internal, Assert.Throws<ManagedCephFuse.CsiPlugin.Core.CoreException>(
            () => ManagedCephFuse.CsiPlugin.Core.SnapshotCore.ParseCreatedAt("yesterday")).Failure);

    [Fact]
    public void ContentSourcesNameExactlyOneThing()
    {
        Assert.Null(ContentSource.From(null, "t"));
        Assert.Equal(new ContentSource("snap-id", null), ContentSource.From(new VolumeContentSource { Snapshot = new() { SnapshotId = "snap-id" } }, "t"));
        Assert.Equal(new ContentSource(null, "vol-id"), ContentSource.From(new VolumeContentSource { Volume = new() { VolumeId = "vol-id" } }, "t"));
        foreach (var empty in new[] { new VolumeContentSource(), new VolumeContentSource { Snapshot = new() }, new VolumeContentSource { Volume = new() } })
            Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, Assert.Throws<Grpc.Core.RpcException>(() => ContentSource.From(empty, "t")).StatusCode);
    }

    [Theory]
    [InlineData("", false, "")]
    [InlineData("", true, "ro")]
    [InlineData("debug", true, "debug,ro")]
    [InlineData("ro,debug", true, "ro,debug")]
    public void ReadOnlyMountsSayRoOnce(string options, bool readOnly, string expected) =>
        Assert.Equal(expected, MountOptionList.WithReadOnly(options, readOnly));

    [Theory]
    [InlineData("InvalidInput", Grpc.Core.StatusCode.InvalidArgument)]
    [InlineData("NotFound", Grpc.Core.StatusCode.NotFound)]
    [InlineData("Conflict", Grpc.Core.StatusCode.AlreadyExists)]
    [InlineData("NotReady", Grpc.Core.StatusCode.Aborted)]
    [InlineData("Precondition", Grpc.Core.StatusCode.FailedPrecondition)]
    [InlineData("Internal", Grpc.Core.StatusCode.Internal)]
    public void CoreFailuresGetTheirCodesAtTheServiceEdge(string failure, Grpc.Core.StatusCode code)
    {
        var mapped = CsiErrors.FromCore(new ManagedCephFuse.CsiPlugin.Core.CoreException(
            Enum.Parse<ManagedCephFuse.CsiPlugin.Core.Failure>(failure), "what happened"));
        Assert.Equal(code, mapped.StatusCode);
        Assert.Equal("what happened", mapped.Status.Detail);
    }

    [Fact]
    public void ClusterFailuresAreMappedByTheirErrno()
    {
        var refused = ManagedCephFuse.CsiPlugin.Core.CoreException.Ceph(
            new ManagedCephFuse.CephClient.CephException(ManagedCephFuse.CephClient.Errno.ETIMEDOUT, "rados_mgr_command", "fs subvolume ls"), "listing");
        var mapped = CsiErrors.FromCore(refused);
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, mapped.StatusCode);
        Assert.StartsWith("listing: Ceph cluster unreachable", mapped.Status.Detail, StringComparison.Ordinal);
    }
}
