using System.Text.Json;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.FuseFs.Tests.CephFs.Support;

/// <summary>The ceph CLI against the test cluster (as client.admin), and admin sockets of running clients.</summary>
internal static class Ceph
{
    public static string Command(params string[] args)
    {
        var all = new List<string> { "-c", ClusterEnv.Current.ConfPath, "--connect-timeout", "30" };
        all.AddRange(args);
        return Run.Checked("/usr/bin/ceph", [.. all]);
    }

    /// <summary>A command on a client's admin socket, answered in JSON.</summary>
    public static JsonDocument AdminSocket(string socket, string command)
    {
        string json = Run.Checked("/usr/bin/ceph", "--admin-daemon", socket, command);
        return JsonDocument.Parse(json);
    }

    /// <summary>The inodes a client caches and the ll references it holds on each (dump_cache).</summary>
    public static List<(string Ino, string Snap, long LlRef, string Path)> CachedInodes(string socket)
    {
        using JsonDocument doc = AdminSocket(socket, "dump_cache");
        var inodes = new List<(string, string, long, string)>();
        foreach (JsonElement item in doc.RootElement.GetProperty("cache").EnumerateArray())
        {
            if (!item.TryGetProperty("ll_ref", out JsonElement llRef))
                continue;
            inodes.Add((item.GetProperty("ino").GetString() ?? "", item.GetProperty("snapid").GetString() ?? "",
                llRef.GetInt64(), item.TryGetProperty("path", out JsonElement p) ? p.GetString() ?? "" : ""));
        }
        return inodes;
    }

    /// <summary>This client's global id (client.N) from its admin socket.</summary>
    public static long ClientId(string socket)
    {
        using JsonDocument doc = AdminSocket(socket, "status");
        return doc.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Ends a client's MDS session (after its daemon was killed, so its caps stop blocking others).</summary>
    public static void Evict(long clientId) => Command("tell", "mds.*", "client", "evict", $"id={clientId}");

    /// <summary>Snapshots are off on a new file system in Pacific.</summary>
    public static void AllowSnapshots() => Command("fs", "set", ClusterEnv.Current.FsName, "allow_new_snaps", "true", "--yes-i-really-mean-it");
}
