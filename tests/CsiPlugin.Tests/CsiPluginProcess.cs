using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Csi.V1;
using Grpc.Net.Client;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Mounter;
using ManagedCephFuse.CsiPlugin.Posix;
using ManagedCephFuse.CsiPlugin.Processes;
using ManagedCephFuse.TestSupport;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>
/// A real <c>cephcsi</c> process on a Unix socket in a private temp directory, with its own config.json
/// (cluster id <see cref="ClusterId"/>, a subvolume group and journal instance id of its own), and gRPC clients.
/// The binary is <c>$CSI_TEST_CEPHCSI</c> (a native executable, or a .dll run with dotnet), default
/// <c>bin/cephcsi</c> from <c>make build</c>; the fuse mounter is <c>$CSI_TEST_FUSE_MOUNTER</c>, default
/// <c>bin/managed-cephfuse</c>. Disposal stops the plugin with SIGTERM and removes whatever a failed test
/// left: mounts under the temp directory, their daemons, subvolumes of the group, journal objects.
/// </summary>
internal sealed partial class CsiPluginProcess : IAsyncDisposable
{
    public const string ClusterId = "test-cluster";
    public const long GiB = 1L << 30;
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly GrpcChannel _channel;

    private CsiPluginProcess(string directory, string group, string instanceId, Process process, string socket)
    {
        Directory = directory;
        SubvolumeGroup = group;
        InstanceId = instanceId;
        _process = process;
        Pid = process.Id;
        SocketPath = socket;
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellation) =>
                {
                    var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellation);
                    return new NetworkStream(unix, ownsSocket: true);
                },
            },
        });
        Identity = new Identity.IdentityClient(_channel);
        Controller = new Controller.ControllerClient(_channel);
        Node = new Node.NodeClient(_channel);
    }

    public static ClusterEnv Env => ClusterEnv.Current;
    public string Directory { get; }
    public string SocketPath { get; }
    public string SubvolumeGroup { get; }
    public string InstanceId { get; }
    public string CephConf => Path.Combine(Directory, "etc", "ceph.conf");
    public string KeysDirectory => Path.Combine(Directory, "keys");
    public int Pid { get; }
    public Identity.IdentityClient Identity { get; }
    public Controller.ControllerClient Controller { get; }
    public Node.NodeClient Node { get; }
    public Grpc.Core.CallInvoker CallInvoker => _channel.CreateCallInvoker();

    /// <summary>What the plugin printed on stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static string FuseMounter =>
        Environment.GetEnvironmentVariable("CSI_TEST_FUSE_MOUNTER") is { Length: > 0 } mounter
            ? mounter
            : Repository.Binary("managed-cephfuse");

    public static string PluginBinary =>
        Environment.GetEnvironmentVariable("CSI_TEST_CEPHCSI") is { Length: > 0 } plugin
            ? plugin
            : Repository.Binary("cephcsi");

    public static async Task<CsiPluginProcess> StartAsync(Action<List<string>>? editArguments = null)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("csi-test-").FullName;
        string suffix = Path.GetFileName(directory)["csi-test-".Length..].ToLowerInvariant();
        string group = "csitest-" + suffix;
        string instance = "test-" + suffix;
        string socket = Path.Combine(directory, "plugin", "csi.sock");
        string config = Path.Combine(directory, "config.json");
        await File.WriteAllTextAsync(config,
            $"[{{\"clusterID\": \"{ClusterId}\", \"monitors\": [\"{Env.MonV1}\"], \"cephFS\": {{\"subvolumeGroup\": \"{group}\"}}}}]");
        var arguments = new List<string>
        {
            "--type=cephfs", $"--endpoint=unix://{socket}", "--nodeid=test-node", "--nodeserver=true",
            "--controllerserver=true", $"--instanceid={instance}", $"--config-file={config}",
            $"--ceph-conf={Path.Combine(directory, "etc", "ceph.conf")}", $"--fuse-mounter-binary={FuseMounter}",
            $"--keys-dir={Path.Combine(directory, "keys")}", "--drivername=cephfs.csi.ceph.com",
        };
        editArguments?.Invoke(arguments);
        var process = Launch(arguments);
        var plugin = new CsiPluginProcess(directory, group, instance, process, socket);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (plugin._log)
                    plugin._log.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await plugin.WaitReadyAsync();
        return plugin;
    }

    /// <summary>Starts the plugin binary with <paramref name="arguments"/> (stdout/stderr redirected).</summary>
    public static Process Launch(IEnumerable<string> arguments)
    {
        string binary = PluginBinary;
        var start = binary.EndsWith(".dll", StringComparison.Ordinal)
            ? new ProcessStartInfo("dotnet") { ArgumentList = { binary } }
            : new ProcessStartInfo(binary);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
    }

    private async Task WaitReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"cephcsi exited with {_process.ExitCode}: {Log}");
            if (File.Exists(SocketPath))
            {
                try
                {
                    await Identity.ProbeAsync(new ProbeRequest());
                    return;
                }
                catch (Grpc.Core.RpcException)
                {
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"cephcsi did not answer on {SocketPath}: {Log}");
    }

    // --- request helpers ---------------------------------------------------------------------------

    public static Dictionary<string, string> AdminSecrets() => new()
    {
        ["adminID"] = Env.CsiProvisionerId,
        ["adminKey"] = ClusterEnv.ReadKey(Env.CsiProvisionerKeyFile),
    };

    public static Dictionary<string, string> UserSecrets() => new()
    {
        ["userID"] = Env.CsiNodeId,
        ["userKey"] = ClusterEnv.ReadKey(Env.CsiNodeKeyFile),
    };

    public static VolumeCapability MountCapability(
        VolumeCapability.Types.AccessMode.Types.Mode mode = VolumeCapability.Types.AccessMode.Types.Mode.MultiNodeMultiWriter) => new()
    {
        Mount = new VolumeCapability.Types.MountVolume(),
        AccessMode = new VolumeCapability.Types.AccessMode { Mode = mode },
    };

    public static CreateVolumeRequest CreateRequest(string name, long bytes, Dictionary<string, string>? extraParameters = null)
    {
        var request = new CreateVolumeRequest
        {
            Name = name,
            CapacityRange = bytes > 0 ? new CapacityRange { RequiredBytes = bytes } : null,
            VolumeCapabilities = { MountCapability() },
            Parameters = { ["clusterID"] = ClusterId, ["fsName"] = Env.FsName },
            Secrets = { AdminSecrets() },
        };
        if (extraParameters is not null)
            request.Parameters.Add(extraParameters);
        return request;
    }

    public static NodeStageVolumeRequest StageRequest(Csi.V1.Volume volume, string staging) => new()
    {
        VolumeId = volume.VolumeId,
        StagingTargetPath = staging,
        VolumeCapability = MountCapability(),
        VolumeContext = { volume.VolumeContext },
        Secrets = { UserSecrets() },
    };

    public static NodePublishVolumeRequest PublishRequest(Csi.V1.Volume volume, string staging, string target) => new()
    {
        VolumeId = volume.VolumeId,
        StagingTargetPath = staging,
        TargetPath = target,
        VolumeCapability = MountCapability(),
        VolumeContext = { volume.VolumeContext },
    };

    public string NewPath(string name) => Path.Combine(Directory, name + "-" + Guid.NewGuid().ToString("N")[..6]);

    public static CephAdmin ConnectAdmin() => CephAdmin.Connect(new RadosOptions
    {
        ClientId = "admin",
        MonHost = Env.MonHost,
        KeyFile = Env.AdminKeyFile,
    });

    /// <summary>The subvolumes currently in this plugin's group (empty when the group does not exist).</summary>
    public IReadOnlyList<string> Subvolumes()
    {
        using var admin = ConnectAdmin();
        try
        {
            return admin.ListSubvolumes(Env.FsName, SubvolumeGroup);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return [];
        }
    }

    /// <summary>
    /// The fuse daemons this plugin reported (its "daemon pid N" log lines, i.e. the pid of the
    /// <c>ceph-fuse[PID]: starting fuse</c> handshake) that still run, newest last, with their mount points.
    /// Read from the log and /proc/PID/stat only: reading other processes' cmdline can block behind a
    /// process stuck on somebody else's FUSE mount.
    /// </summary>
    public IReadOnlyList<(int Pid, string MountPoint)> Daemons()
    {
        var daemons = new List<(int, string)>();
        foreach (System.Text.RegularExpressions.Match m in DaemonLine().Matches(Log))
        {
            int pid = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (pid > 0 && DaemonReaper.IsAlive(pid) && IsMounterProcess(pid))
                daemons.Add((pid, m.Groups[1].Value));
        }
        return daemons;
    }

    /// <summary>The pids of <see cref="Daemons"/>.</summary>
    public IReadOnlyList<int> DaemonsUnderDirectory() => Daemons().Select(d => d.Pid).Distinct().ToList();

    /// <summary>The one live daemon serving <paramref name="mountPoint"/>.</summary>
    public int DaemonOf(string mountPoint) => Assert.Single(Daemons(), d => d.MountPoint == mountPoint).Pid;

    private static bool IsMounterProcess(int pid)
    {
        try
        {
            string comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            string name = Path.GetFileName(FuseMounter);
            return comm == (name.Length > 15 ? name[..15] : name);
        }
        catch (IOException)
        {
            return false;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"at (\S+) with fuse \(daemon pid (\d+)\)")]
    private static partial System.Text.RegularExpressions.Regex DaemonLine();

    /// <summary>Mount points under this plugin's temp directory.</summary>
    public IReadOnlyList<MountEntry> MountsUnderDirectory() =>
        MountInfo.Read().Where(m => m.MountPoint.StartsWith(Directory + "/", StringComparison.Ordinal)).ToList();

    /// <summary>Sends SIGTERM and waits; true when the plugin exited within the timeout.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
            return true;
        _stopRequested = true;
        LibC.Kill(Pid, LibC.SIGTERM);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        bool diedEarly = _process.HasExited && !_stopRequested;
        if (!await StopAsync(TimeSpan.FromSeconds(15)))
            _process.Kill();
        await _process.WaitForExitAsync();
        int exitCode = _process.ExitCode;
        _process.Dispose();
        foreach (var mount in MountsUnderDirectory().Reverse())
            Process.Start("umount", ["-l", mount.MountPoint])!.WaitForExit(30_000);
        foreach (int pid in DaemonsUnderDirectory())
            LibC.Kill(pid, 9);
        RemoveClusterLeftovers();
        System.IO.Directory.Delete(Directory, recursive: true);
        if (diedEarly || exitCode != 0)
            throw new InvalidOperationException($"cephcsi (pid {Pid}) exited with {exitCode}{(diedEarly ? " before it was stopped" : "")}:\n{Log}");
    }

    private bool _stopRequested;

    private void RemoveClusterLeftovers()
    {
        using var admin = ConnectAdmin();
        foreach (string subvolume in Subvolumes())
        {
            try
            {
                foreach (string snapshot in admin.ListSubvolumeSnapshots(Env.FsName, subvolume, SubvolumeGroup))
                    admin.RemoveSubvolumeSnapshot(Env.FsName, subvolume, snapshot, SubvolumeGroup, force: true);
            }
            catch (CephException e) when (e.Errno is Errno.ENOENT or Errno.EAGAIN or Errno.EOPNOTSUPP)
            {
                // gone meanwhile, or a clone that is still copying (removed with --force below)
            }
            admin.RemoveSubvolume(Env.FsName, subvolume, SubvolumeGroup, force: true);
        }
        admin.RemoveSubvolumeGroup(Env.FsName, SubvolumeGroup, force: true);
        using var io = admin.Cluster.OpenIoContext($"{Env.FsName}_metadata", "csi");
        foreach (var (directory, prefix) in new[] { ("csi.volumes.", "csi.volume."), ("csi.snaps.", "csi.snap.") })
        {
            try
            {
                foreach (var (_, uuid) in io.GetOmapValues(directory + InstanceId, prefix))
                    TryRemove(io, prefix + uuid);
            }
            catch (CephException e) when (e.Errno == Errno.ENOENT)
            {
            }
            TryRemove(io, directory + InstanceId);
        }
        foreach (string tracker in _trackers)
            TryRemove(io, tracker);
    }

    private readonly List<string> _trackers = [];

    /// <summary>A reference-tracker object a test made (removed at disposal if still there).</summary>
    public void RemoveAtDisposal(string oid) => _trackers.Add(oid);

    /// <summary>The journal directory's entries (request-name key → UUID) of this plugin's volumes or snapshots.</summary>
    public Dictionary<string, string> JournalDirectory(string directoryPrefix)
    {
        using var admin = ConnectAdmin();
        using var io = admin.Cluster.OpenIoContext($"{Env.FsName}_metadata", "csi");
        try
        {
            return io.GetOmapValues(directoryPrefix + InstanceId);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return [];
        }
    }

    private static void TryRemove(RadosIoContext io, string oid)
    {
        try
        {
            io.RemoveObject(oid);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
        }
    }
}
