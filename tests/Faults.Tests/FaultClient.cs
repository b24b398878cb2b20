using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>
/// One FUSE client of the fault cluster — bin/managed-cephfuse or Debian's ceph-fuse, started alike
/// (<c>MP -m MONS -c CONF -n client.admin --keyfile=F -r /</c>) inside its own network group
/// (scripts/client-net.sh), so its loopback traffic can be cut without touching anyone else's — and the
/// workloads running on it. <see cref="Remount"/> replaces a broken mount by a fresh one; Dispose unmounts, kills
/// what does not exit (by PID) and removes the group.
/// </summary>
internal sealed partial class FaultClient : IDisposable
{
    [GeneratedRegex(@"(?m)^ceph-fuse\[(\d+)\]: starting fuse$")]
    private static partial Regex StartedLine();

    private readonly FaultCluster _cluster;
    private readonly string _program;

    private FaultClient(FaultCluster cluster, string label, string program, string group)
    {
        _cluster = cluster;
        Label = label;
        _program = program;
        NetworkGroup = group;
    }

    /// <summary>"managed-cephfuse" or "ceph-fuse", as the results name it.</summary>
    public string Label { get; }

    /// <summary>The client's group in scripts/client-net.sh.</summary>
    public string NetworkGroup { get; }

    public string MountPoint { get; private set; } = "";

    /// <summary>The FUSE daemon's PID.</summary>
    public int Pid { get; private set; }

    /// <summary>The client's global id (client.N), the id an MDS evicts.</summary>
    public long ClientId { get; private set; }

    public Workload Workload { get; private set; } = null!;

    /// <summary>How many times the client had to be replaced by a fresh mount.</summary>
    public int Remounts { get; private set; }

    public static FaultClient Managed(FaultCluster cluster, string groupPrefix) =>
        Start(cluster, "managed-cephfuse", Repository.Binary("managed-cephfuse"), $"{groupPrefix}-managed");

    public static FaultClient CephFuse(FaultCluster cluster, string groupPrefix) =>
        Start(cluster, "ceph-fuse", "/usr/bin/ceph-fuse", $"{groupPrefix}-cephfuse");

    private static FaultClient Start(FaultCluster cluster, string label, string program, string group)
    {
        var client = new FaultClient(cluster, label, program, group);
        try
        {
            client.Mount();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The path of <paramref name="relative"/> (relative to the file system root) in this mount.</summary>
    public string this[string relative] => Path.Combine(MountPoint, relative);

    public void CutNetwork() => Net("cut");

    public void RestoreNetwork() => Net("restore");

    /// <summary>Throws the broken mount away (daemon killed, mount detached) and mounts afresh.</summary>
    public void Remount()
    {
        Unmount();
        Remounts++;
        Mount();
    }

    private void Mount()
    {
        MountPoint = Directory.CreateTempSubdirectory($"mcf-fault-{Label}-").FullName;
        ClusterEnv env = _cluster.Env;
        string[] args =
        [
            "run", NetworkGroup, "--", _program, MountPoint, "-m", env.MonHost, "-c", env.ConfPath,
            "-n", "client.admin", $"--keyfile={env.AdminKeyFile}", "-r", "/",
        ];
        CommandResult launch = Command.Run(NetScript, args, TimeSpan.FromSeconds(90));
        Match started = StartedLine().Match(launch.Error);
        Pid = started.Success ? int.Parse(started.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (launch.ExitCode != 0 || Pid == 0 || !IsMounted(MountPoint))
            throw new InvalidOperationException($"{Label} did not mount {MountPoint}: {launch}");
        ClientId = ReadClientId();
        Workload = new Workload(Label, MountPoint);
    }

    /// <summary>client.N from the daemon's admin socket (the cluster's conf puts it in run/ with the PID).</summary>
    private long ReadClientId()
    {
        string socket = Path.Combine(_cluster.Directory, "run", $"client.admin.{Pid}.asok");
        string json = Command.Checked("/usr/bin/ceph", ["--admin-daemon", socket, "status"], TimeSpan.FromSeconds(30));
        using JsonDocument status = JsonDocument.Parse(json);
        return status.RootElement.GetProperty("id").GetInt64();
    }

    private void Unmount()
    {
        Workload?.Dispose();
        if (Pid > 0 && IsAlive(Pid))
        {
            // a live mount unmounts cleanly; a broken one (evicted, partitioned) may never finish its flush, so
            // the daemon gets 10 s, then SIGKILL — which also ends every request the kernel still waits on
            if (IsMounted(MountPoint))
                Command.Run("/bin/umount", [MountPoint], TimeSpan.FromSeconds(30));
            if (!WaitForExit(Pid, TimeSpan.FromSeconds(10)))
            {
                if (Kill(Pid, 9) == 0)
                    WaitForExit(Pid, TimeSpan.FromSeconds(10));
            }
        }
        if (IsMounted(MountPoint))
            Command.Run("/bin/umount", ["-l", MountPoint], TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(MountPoint);
        }
        catch (IOException)
        {
        }
        Pid = 0;
    }

    public void Dispose()
    {
        try
        {
            if (MountPoint.Length > 0)
                Unmount();
        }
        finally
        {
            Command.Run(NetScript, ["remove", NetworkGroup], TimeSpan.FromSeconds(30));
        }
    }

    private static string NetScript => Path.Combine(Repository.Root, "scripts", "client-net.sh");

    private void Net(string action) => Command.Checked(NetScript, [action, NetworkGroup], TimeSpan.FromSeconds(30));

    private static bool IsMounted(string mountPoint) =>
        File.ReadLines("/proc/mounts").Any(line => line.Split(' ') is { Length: > 2 } f && f[1] == mountPoint);

    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (IsAlive(pid))
        {
            if (clock.Elapsed > timeout)
                return false;
            Thread.Sleep(50);
        }
        return true;
    }

    [System.Runtime.InteropServices.LibraryImport("libc.so.6", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
