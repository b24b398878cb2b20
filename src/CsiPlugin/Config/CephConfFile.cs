namespace ManagedCephFuse.CsiPlugin.Config;

/// <summary>
/// The ceph.conf handed to every mount with <c>-c</c>. When the configured file does not exist the plugin
/// writes a minimal one, as ceph-csi does: cephx everywhere and no monitors (they come with <c>-m</c>).
/// </summary>
internal static class CephConfFile
{
    public const string MinimalContent = """
        # Written by cephcsi because no ceph.conf was found here: cephx on, monitors come from config.json.
        [global]
        auth_cluster_required = cephx
        auth_service_required = cephx
        auth_client_required = cephx

        # Keep the daemon's supplementary groups out of permission checks (tracker #23446).
        fuse_set_user_groups = false
        # libfuse2 clients default to 4 KiB writes without this.
        fuse_big_writes = true

        """;

    /// <summary>True when the file had to be written.</summary>
    public static bool EnsureExists(string path)
    {
        if (File.Exists(path))
            return false;
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        File.WriteAllText(path, MinimalContent);
        return true;
    }
}
