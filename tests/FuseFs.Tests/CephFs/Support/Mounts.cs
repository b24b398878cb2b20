using System.Text.RegularExpressions;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.FuseFs.Tests.CephFs.Support;

/// <summary>
/// A FUSE daemon started the way a CSI driver starts ceph-fuse: the launcher runs with ceph-fuse-style arguments,
/// its stderr is read to EOF, <c>ceph-fuse[PID]: starting fuse</c> names the daemon, the launcher exits 0.
/// Dispose unmounts (lazily as a last resort), waits for the daemon to exit, kills it by PID if it does not, and
/// removes the mount point it made.
/// </summary>
internal sealed partial class DaemonMount : IDisposable
{
    [GeneratedRegex(@"(?m)^ceph-fuse\[(.+)\]: starting fuse$")]
    private static partial Regex StartedLine();

    private readonly bool _ownsMountPoint;
    private bool _disposed;

    private DaemonMount(string program, string mountPoint, bool ownsMountPoint, int pid, CommandResult launch, string clientId)
    {
        Program = program;
        MountPoint = mountPoint;
        _ownsMountPoint = ownsMountPoint;
        Pid = pid;
        Launch = launch;
        ClientId = clientId;
    }

    public string Program { get; }

    public string MountPoint { get; }

    /// <summary>The daemon's PID as the handshake line gave it.</summary>
    public int Pid { get; }

    /// <summary>What the launcher did (exit code, stderr).</summary>
    public CommandResult Launch { get; }

    public string ClientId { get; }

    /// <summary>A path inside the mount.</summary>
    public string this[string relative] => Path.Combine(MountPoint, relative);

    /// <summary>The daemon's libcephfs admin socket (the test cluster's conf puts it in run/ with the PID).</summary>
    public string AdminSocket => Path.Combine(ClusterEnv.Current.Directory, "run", $"client.{ClientId}.{Pid}.asok");

    /// <summary>managed-cephfuse (bin/, from make build) with ceph-fuse-style arguments for the test cluster.</summary>
    public static DaemonMount Ours(string root = "/", string[]? extra = null, string? id = null, string? keyFile = null) =>
        Start(Repository.Binary("managed-cephfuse"), root, extra, id, keyFile);

    /// <summary>Debian's ceph-fuse, the reference client, with the same arguments.</summary>
    public static DaemonMount CephFuse(string root = "/", string[]? extra = null) =>
        Start("/usr/bin/ceph-fuse", root, extra, null, null);

    /// <summary>The argument list both daemons take: <c>MP -m MONS -c CONF -n client.ID --keyfile=F -r ROOT</c>.</summary>
    public static List<string> Arguments(string mountPoint, string root, string id, string keyFile)
    {
        ClusterEnv cluster = ClusterEnv.Current;
        return [mountPoint, "-m", cluster.MonHost, "-c", cluster.ConfPath, "-n", $"client.{id}", $"--keyfile={keyFile}", "-r", root];
    }

    private static DaemonMount Start(string program, string root, string[]? extra, string? id, string? keyFile)
    {
        ClusterEnv cluster = ClusterEnv.Current;
        string mountPoint = Directory.CreateTempSubdirectory("mcf-ceph-").FullName;
        id ??= "admin";
        keyFile ??= cluster.AdminKeyFile;
        List<string> args = Arguments(mountPoint, root, id, keyFile);
        if (extra is not null)
            args.AddRange(extra);
        try
        {
            return Launched(program, mountPoint, ownsMountPoint: true, args, id);
        }
        catch
        {
            TryRemoveDirectory(mountPoint);
            throw;
        }
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> and checks the CSI handshake; a
    /// mount that came up is returned, anything else throws (after cleaning up what did come up).</summary>
    public static DaemonMount Launched(string program, string mountPoint, bool ownsMountPoint, IReadOnlyList<string> args, string id)
    {
        CommandResult launch = Run.Command(program, args, TimeSpan.FromSeconds(90));
        Match match = StartedLine().Match(launch.StandardError);
        int pid = match.Success && int.TryParse(match.Groups[1].Value, out int p) ? p : 0;
        var mount = new DaemonMount(program, mountPoint, ownsMountPoint, pid, launch, id);
        if (launch.ExitCode != 0 || pid == 0 || !IsMounted(mountPoint))
        {
            mount.Dispose();
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not mount {mountPoint}: {launch}");
        }
        return mount;
    }

    /// <summary>The /proc/mounts line for <paramref name="mountPoint"/>, or null.</summary>
    public static string? MountsLine(string mountPoint)
    {
        foreach (string line in File.ReadLines("/proc/mounts"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 2 && fields[1] == mountPoint)
                return line;
        }
        return null;
    }

    public static bool IsMounted(string mountPoint) => MountsLine(mountPoint) is not null;

    public bool IsMountedNow => IsMounted(MountPoint);

    /// <summary>umount(8), as ceph-csi unmounts; true when the daemon then exits within <paramref name="timeout"/>.</summary>
    public bool Unmount(TimeSpan timeout)
    {
        Run.Command("/bin/umount", [MountPoint], TimeSpan.FromSeconds(60));
        return Pid == 0 || Processes.WaitForExit(Pid, timeout);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            if (IsMounted(MountPoint))
            {
                CommandResult r = Run.Command("/bin/umount", [MountPoint], TimeSpan.FromSeconds(60));
                if (r.ExitCode != 0 && IsMounted(MountPoint))
                    Sys.Umount2(MountPoint, Sys.MNT_DETACH);
            }
        }
        finally
        {
            if (Pid > 0 && !Processes.WaitForExit(Pid, TimeSpan.FromSeconds(20)))
            {
                Sys.Kill(Pid, Sys.SIGKILL);
                Processes.WaitForExit(Pid, TimeSpan.FromSeconds(5));
            }
            if (IsMounted(MountPoint))
                Sys.Umount2(MountPoint, Sys.MNT_DETACH);
            if (_ownsMountPoint)
                TryRemoveDirectory(MountPoint);
        }
    }

    private static void TryRemoveDirectory(string path)
    {
        try
        {
            Directory.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
