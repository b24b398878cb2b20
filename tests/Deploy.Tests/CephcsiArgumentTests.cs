using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Csi.V1;
using k8s.Models;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>
/// The flags in the manifests are flags cephcsi takes: every cephcsi container of the kustomize build runs
/// bin/cephcsi with exactly its args ($(VAR)s filled in as kubelet would), its volume mounts as temp dirs
/// (ConfigMaps written out from the build), and must answer Probe over gRPC on the socket its endpoint names.
/// </summary>
public sealed partial class CephcsiArgumentTests
{
    private static readonly Dictionary<string, string> FieldValues = new(StringComparer.Ordinal)
    {
        ["spec.nodeName"] = "test-node",
        ["status.podIP"] = "127.0.0.1",
        ["metadata.namespace"] = "managed-cephfuse",
    };

    public static TheoryData<string> Workloads => new()
    {
        "csi-cephfsplugin",
        "csi-cephfsplugin-provisioner",
    };

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task EveryCephcsiContainerStartsWithItsArgsAndAnswersProbe(string workload)
    {
        var manifests = await Manifests.Default;
        var pod = workload == "csi-cephfsplugin" ? manifests.NodePlugin.Spec.Template.Spec : manifests.Provisioner.Spec.Template.Spec;
        var containers = pod.Containers.Where(c => c.Image.Contains("managed-cephfuse/cephcsi", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(containers);
        foreach (var container in containers)
            await RunContainerAsync(manifests, pod, container);
    }

    /// <summary>Each sidecar in the provisioner pod needs a controller capability cephcsi must advertise.</summary>
    [Fact]
    public async Task TheProvisionerSidecarsNeedOnlyWhatCephcsiServes()
    {
        var manifests = await Manifests.Default;
        var pod = manifests.Provisioner.Spec.Template.Spec;
        var capabilities = await RunContainerAsync(manifests, pod, pod.Containers.Single(c => c.Name == "csi-cephfsplugin"));
        var needs = new Dictionary<string, ControllerServiceCapability.Types.RPC.Types.Type>(StringComparer.Ordinal)
        {
            ["csi-provisioner"] = ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteVolume,
            ["csi-resizer"] = ControllerServiceCapability.Types.RPC.Types.Type.ExpandVolume,
            ["csi-snapshotter"] = ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteSnapshot,
        };
        var sidecars = pod.Containers.Select(c => c.Name).Where(needs.ContainsKey).ToList();
        Assert.Contains("csi-provisioner", sidecars);
        foreach (string sidecar in sidecars)
            Assert.True(capabilities.Contains(needs[sidecar]), $"{sidecar} is in the provisioner pod, but cephcsi does not advertise {needs[sidecar]}");
        // csi-snapshotter exits when the driver has no snapshots: the component is on exactly when cephcsi serves them
        bool servesSnapshots = capabilities.Contains(ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteSnapshot);
        bool componentOn = File.ReadAllLines(Path.Combine(Manifests.Directory, "kustomization.yaml"))
            .SkipWhile(line => !line.StartsWith("components:", StringComparison.Ordinal)).Any(line => line.Trim() == "- snapshots");
        Assert.True(servesSnapshots == componentOn, servesSnapshots
            ? "cephcsi serves CREATE_DELETE_SNAPSHOT now: turn the snapshots component on in deploy/kubernetes/kustomization.yaml"
            : "the snapshots component is on, but cephcsi does not serve CREATE_DELETE_SNAPSHOT: csi-snapshotter would exit");
    }

    /// <summary>
    /// Runs one cephcsi container as the pod would, Probes it, checks its name and (controller) capabilities,
    /// then stops it with SIGTERM; returns the controller capabilities it advertised (none for a node plugin).
    /// </summary>
    private static async Task<HashSet<ControllerServiceCapability.Types.RPC.Types.Type>> RunContainerAsync(
        Manifests manifests, V1PodSpec pod, V1Container container)
    {
        using var temp = new TempDirectory("manifest-args-");
        var mounts = await MountsAsTempDirsAsync(manifests, pod, container, temp);
        var args = Manifests.ResolvedArgs(container, FieldValues).Select(arg => Rewrite(arg, mounts)).ToList();
        // cephcsi's defaulted paths (its --help says which) must be inside the container's mounts
        foreach ((string flag, string path) in DefaultPaths())
        {
            Assert.False(args.Any(a => a.StartsWith($"--{flag}=", StringComparison.Ordinal)), $"--{flag} is set in the manifest: the test expects the default");
            string mapped = MapPath(path, mounts) ?? throw new Xunit.Sdk.XunitException(
                $"{container.Name}: cephcsi reads {path} (--{flag}) by default, but the container mounts nothing there");
            args.Add($"--{flag}={mapped}");
        }
        string endpoint = args.Single(a => a.StartsWith("--endpoint=unix://", StringComparison.Ordinal))["--endpoint=unix://".Length..];
        Assert.StartsWith(temp.Path, endpoint, StringComparison.Ordinal);

        var start = new ProcessStartInfo(Repository.Binary("cephcsi")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        var log = new StringBuilder();
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        string Log() { lock (log) return $"cephcsi {string.Join(' ', args)}\n{log}"; }
        try
        {
            using var client = new CsiClient(endpoint);
            await client.WaitReadyAsync(endpoint, () => !process.HasExited, Log);
            var info = await client.Identity.GetPluginInfoAsync(new GetPluginInfoRequest());
            string driver = args.Single(a => a.StartsWith("--drivername=", StringComparison.Ordinal))["--drivername=".Length..];
            Assert.Equal(driver, info.Name);
            Assert.Equal(manifests.Single<V1CSIDriver>(driver).Metadata.Name, info.Name);
            if (args.FirstOrDefault(a => a.StartsWith("--metrics-address=", StringComparison.Ordinal)) is { } metrics)
            {
                using var http = new HttpClient();
                string text = await http.GetStringAsync($"http://{metrics["--metrics-address=".Length..]}/metrics");
                Assert.Contains("# TYPE", text, StringComparison.Ordinal);
            }
            var capabilities = new HashSet<ControllerServiceCapability.Types.RPC.Types.Type>();
            if (args.Contains("--controllerserver=true"))
            {
                var answer = await client.Controller.ControllerGetCapabilitiesAsync(new ControllerGetCapabilitiesRequest());
                capabilities.UnionWith(answer.Capabilities.Select(c => c.Rpc.Type));
            }
            return capabilities;
        }
        finally
        {
            if (!process.HasExited)
            {
                _ = await Commands.RunAsync("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!process.WaitForExit(10_000))
                    process.Kill();
            }
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Each volume mount of the container as a temp dir; ConfigMap volumes hold the ConfigMap's data.</summary>
    private static async Task<List<(string MountPath, string Directory)>> MountsAsTempDirsAsync(
        Manifests manifests, V1PodSpec pod, V1Container container, TempDirectory temp)
    {
        var mounts = new List<(string, string)>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            var volume = pod.Volumes.SingleOrDefault(v => v.Name == mount.Name)
                ?? throw new Xunit.Sdk.XunitException($"{container.Name} mounts volume {mount.Name}, which the pod does not have");
            string directory = temp.Combine("mounts", mount.Name);
            Directory.CreateDirectory(directory);
            if (volume.ConfigMap is { } source)
            {
                var map = manifests.Single<V1ConfigMap>(source.Name);
                foreach ((string key, string value) in map.Data ?? new Dictionary<string, string>())
                    await File.WriteAllTextAsync(Path.Combine(directory, key), value);
            }
            mounts.Add((mount.MountPath.TrimEnd('/'), directory));
        }
        return mounts;
    }

    private static string? MapPath(string path, List<(string MountPath, string Directory)> mounts)
    {
        var best = mounts.Where(m => path == m.MountPath || path.StartsWith(m.MountPath + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.MountPath.Length).FirstOrDefault();
        return best.Directory is null ? null : best.Directory + path[best.MountPath.Length..];
    }

    /// <summary>Paths inside the mounts go to their temp dirs; the metrics port becomes a free one on 127.0.0.1.</summary>
    private static string Rewrite(string arg, List<(string MountPath, string Directory)> mounts)
    {
        int eq = arg.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
            return arg;
        string flag = arg[..(eq + 1)], value = arg[(eq + 1)..];
        if (flag == "--metrics-address=")
        {
            Assert.StartsWith("127.0.0.1:", value, StringComparison.Ordinal);
            return $"{flag}127.0.0.1:{FreePort()}";
        }
        string scheme = value.StartsWith("unix://", StringComparison.Ordinal) ? "unix://" : "";
        string path = value[scheme.Length..];
        return path.StartsWith('/') && MapPath(path, mounts) is { } mapped ? flag + scheme + mapped : arg;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The flags whose defaults are paths, from <c>cephcsi --help</c> ("--flag=PATH ... (default /path").</summary>
    private static List<(string Flag, string Path)> DefaultPaths()
    {
        var help = Commands.RunAsync(Repository.Binary("cephcsi"), "--help").GetAwaiter().GetResult().Ok("cephcsi --help");
        var found = DefaultPath().Matches(help.Stdout).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Contains(found, f => f.Item1 == "config-file");
        Assert.Contains(found, f => f.Item1 == "ceph-conf");
        Assert.Contains(found, f => f.Item1 == "keys-dir");
        return found;
    }

    [GeneratedRegex(@"--([a-z-]+)=PATH[^\n]*\(default (/[^;)\s]+)")]
    private static partial Regex DefaultPath();
}
