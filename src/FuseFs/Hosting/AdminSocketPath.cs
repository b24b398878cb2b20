using ManagedCephFuse.FuseFs.Kernel.Interop;

namespace ManagedCephFuse.FuseFs.Hosting;

/// <summary>
/// Where the admin socket goes, decided as Ceph decides <c>admin_socket</c>: <c>--admin-socket PATH</c> (empty:
/// none), else the ceph.conf's <c>admin_socket</c>, else <see cref="Default"/>; Ceph's metavariables
/// ($cluster, $name, $type, $id, $pid, $cctid, $run_dir, $host) expanded. libcephfs's own socket moves next to it
/// (<see cref="ForLibcephfs"/>): the daemon answers on the path users know and forwards what it does not know.
/// </summary>
internal static class AdminSocketPath
{
    /// <summary>ceph-fuse's place for a client's socket, made unique per process.</summary>
    public const string Default = "$run_dir/$cluster-$name.$pid.asok";

    public const string DefaultRunDir = "/var/run/ceph";

    /// <summary>
    /// The socket path, or null for none: <paramref name="given"/> is --admin-socket (null: not given, "": none),
    /// <paramref name="configured"/> the conf's value (null or empty: not set). The default is used only when its
    /// directory exists and we may create the socket there (as root on a host with Ceph installed): a user who
    /// mounts by hand and asked for no socket is not warned about one.
    /// </summary>
    public static string? Resolve(string? given, string? configured, string cluster, string name, string? runDir)
    {
        if (given is { Length: 0 })
            return null;
        string? template = given ?? (string.IsNullOrEmpty(configured) ? null : configured);
        string path = Expand(template ?? Default, cluster, name, string.IsNullOrEmpty(runDir) ? DefaultRunDir : runDir);
        if (template is null && !CanCreateIn(Path.GetDirectoryName(path)))
            return null;
        return Path.GetFullPath(path);
    }

    private static bool CanCreateIn(string? directory) =>
        directory is not null && LibC.Access(directory, LibC.W_OK | LibC.X_OK) == 0;

    /// <summary>libcephfs's own socket beside ours: <c>X.asok</c> → <c>X.libcephfs.asok</c>.</summary>
    public static string ForLibcephfs(string ours) =>
        (ours.EndsWith(".asok", StringComparison.Ordinal) ? ours[..^5] : ours) + ".libcephfs.asok";

    public static string Expand(string template, string cluster, string name, string runDir)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string type = dot > 0 ? name[..dot] : "client", id = dot > 0 ? name[(dot + 1)..] : name;
        return template
            .Replace("$run_dir", runDir, StringComparison.Ordinal)
            .Replace("$cluster", cluster, StringComparison.Ordinal)
            .Replace("$name", name, StringComparison.Ordinal)
            .Replace("$type", type, StringComparison.Ordinal)
            .Replace("$id", id, StringComparison.Ordinal)
            .Replace("$pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$cctid", "0", StringComparison.Ordinal)
            .Replace("$host", Environment.MachineName, StringComparison.Ordinal);
    }
}
