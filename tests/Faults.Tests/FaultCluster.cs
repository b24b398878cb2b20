using System.Diagnostics;
using System.Text.Json;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>Who does what among the MDS daemons.</summary>
internal sealed record MdsRoles(string? Active, long ActiveGid, List<string> Standby, List<string> StandbyReplay);

/// <summary>A Ceph timeout the fault cluster shortens so a fault runs its course in seconds, not minutes.</summary>
internal sealed record ShortenedTimeout(string Option, string Value, string CephDefault, string Why);

/// <summary>
/// The fault suite's own cluster (the other test projects' cluster is never touched): scripts/cluster-up.sh with
/// two MDS daemons (one standby), bluestore on a file (memstore loses everything on a kill -9 of the OSD) and the
/// timeouts below, in <c>$FAULTS_CLUSTER_DIR</c> (default .cluster-faults) on <c>$FAULTS_CLUSTER_PORT_BASE</c>
/// (default: the first free block). Daemons are killed, paused and restarted by PID through
/// scripts/cluster-daemon.sh; Dispose takes the cluster down (by PID) and removes its directory.
/// </summary>
internal sealed class FaultCluster : IDisposable
{
    /// <summary>ceph.conf [global] additions. Each keeps what the fault means and only makes it happen sooner.</summary>
    public static readonly ShortenedTimeout[] ConfTimeouts =
    [
        new("mds_beacon_interval", "1", "4", "the MDS reports to the mon every second, so a grace of 5 s is 5 missed beacons, not 1"),
        new("mds_beacon_grace", "5", "15", "the mon fails a silent MDS over to a standby after 5 s"),
        new("mon_tick_interval", "1", "5", "the mon looks at MDS beacons every tick and, when a tick comes later than grace − interval, restarts every beacon clock (\"slow election?\"): with a 5 s tick a 5 s grace never expires"),
        new("mds_beacon_mon_down_grace", "10", "60", "after a mon election (the cluster's start, the mon restart) the mon waits this long before replacing a silent MDS; 60 s would hold up the first failover"),
        new("mds_reconnect_timeout", "15", "45", "a restarted MDS waits 15 s at most for clients to reconnect (both always do; a dead one would hold up every failover)"),
        new("osd_heartbeat_interval", "1", "6", "the OSD checks its fullness every second: the full flag comes and goes within seconds of crossing the ratio"),
        new("client_mount_timeout", "30", "300", "a mount that cannot complete fails in 30 s instead of holding the suite for 5 min (mounting only)"),
    ];

    /// <summary>File system settings (`ceph fs set`).</summary>
    public static readonly ShortenedTimeout[] FsTimeouts =
    [
        new("session_timeout", "30", "60", "a client silent for 30 s goes stale (its caps are revoked); the short network cut stays well below it. Pacific refuses less than 30 s"),
        new("session_autoclose", "30", "300", "a client silent for 30 s is evicted (and blocklisted) at the MDS's next tick: the long network cut outlasts it. Pacific refuses less than 30 s"),
    ];

    public static TimeSpan SessionTimeout => TimeSpan.FromSeconds(int.Parse(FsTimeouts[0].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    public FaultCluster()
    {
        Directory = Environment.GetEnvironmentVariable("FAULTS_CLUSTER_DIR") is { Length: > 0 } d
            ? Path.GetFullPath(d)
            : Path.Combine(Repository.Root, ".cluster-faults");
        // a cluster left by an aborted run is taken down first: the suite always starts from a fresh one
        Script("cluster-down.sh", Directory);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Directory)!);
        string extra = $"{Directory}.conf";
        File.WriteAllLines(extra, ConfTimeouts.Select(t => $"{t.Option} = {t.Value}"));
        try
        {
            var environment = new Dictionary<string, string?>
            {
                ["CLUSTER_MDS_COUNT"] = "2",
                ["CLUSTER_OSD_STORE"] = "bluestore",
                ["CLUSTER_CONF_EXTRA"] = extra,
                // the normal cluster's port base is not ours
                ["CLUSTER_PORT_BASE"] = Environment.GetEnvironmentVariable("FAULTS_CLUSTER_PORT_BASE"),
                ["CLUSTER_DIR"] = null,
            };
            Command.Checked(Path.Combine(Repository.Root, "scripts", "cluster-up.sh"), [Directory], TimeSpan.FromMinutes(3), environment);
            Env = ClusterEnv.FromDirectory(Directory);
            MdsDaemons = Env["CEPH_MDS_NAMES"].Split(',');
            foreach (ShortenedTimeout setting in FsTimeouts)
                Ceph("fs", "set", Env.FsName, setting.Option, setting.Value);
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            File.Delete(extra);
        }
    }

    public string Directory { get; }

    public ClusterEnv Env { get; } = null!;

    /// <summary>mds.a, mds.b.</summary>
    public string[] MdsDaemons { get; } = [];

    public string[] AllDaemons => ["mon.a", "mgr.x", "osd.0", .. MdsDaemons];

    /// <summary>The ceph CLI as client.admin; its standard output.</summary>
    public string Ceph(params string[] args) =>
        Command.Checked("/usr/bin/ceph", ["-c", Env.ConfPath, "--connect-timeout", "20", .. args], CommandTimeout);

    public JsonDocument CephJson(params string[] args) => JsonDocument.Parse(Ceph([.. args, "--format", "json"]));

    /// <summary>scripts/cluster-daemon.sh: kill, stop, start, restart, pause, resume one daemon by its PID.</summary>
    public void Daemon(string action, string daemon) =>
        Command.Checked(Path.Combine(Repository.Root, "scripts", "cluster-daemon.sh"), [Directory, action, daemon], CommandTimeout);

    public bool IsRunning(string daemon) =>
        Command.Run(Path.Combine(Repository.Root, "scripts", "cluster-daemon.sh"), [Directory, "pid", daemon], CommandTimeout).ExitCode == 0;

    /// <summary>The MDS daemons by role, from the fs map: the active one (rank 0, with its gid: a restarted daemon
    /// comes back under the same name with a new gid), the standbys, the standby-replay followers.</summary>
    public MdsRoles Roles()
    {
        using JsonDocument dump = CephJson("fs", "dump");
        string? active = null;
        long activeGid = 0;
        var replay = new List<string>();
        foreach (JsonElement fs in dump.RootElement.GetProperty("filesystems").EnumerateArray())
        {
            foreach (JsonProperty info in fs.GetProperty("mdsmap").GetProperty("info").EnumerateObject())
            {
                string name = "mds." + info.Value.GetProperty("name").GetString();
                switch (info.Value.GetProperty("state").GetString())
                {
                    case "up:active":
                        active = name;
                        activeGid = info.Value.GetProperty("gid").GetInt64();
                        break;
                    case "up:standby-replay":
                        replay.Add(name);
                        break;
                }
            }
        }
        var standby = dump.RootElement.GetProperty("standbys").EnumerateArray()
            .Select(s => "mds." + s.GetProperty("name").GetString()).ToList();
        return new MdsRoles(active, activeGid, standby, replay);
    }

    /// <summary>The client ids with a session on the active MDS.</summary>
    public HashSet<long> Sessions(string activeMds)
    {
        using JsonDocument list = CephJson("tell", activeMds, "session", "ls");
        return [.. list.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetInt64())];
    }

    /// <summary>Polls <paramref name="ready"/> (a failing ceph command counts as not ready) until it holds.</summary>
    public static TimeSpan WaitUntil(string what, Func<bool> ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (ready())
                    return clock.Elapsed;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or JsonException or KeyNotFoundException)
            {
                last = e;
            }
            Thread.Sleep(250);
        }
        throw new TimeoutException($"{what}: not within {timeout.TotalSeconds} s{(last is null ? "" : $" (last: {last.Message})")}");
    }

    /// <summary>Every daemon running, an active MDS and <paramref name="standbys"/> standbys, every PG active+clean.</summary>
    public void EnsureHealthy(int standbys)
    {
        foreach (string daemon in AllDaemons)
        {
            if (!IsRunning(daemon))
                Daemon("start", daemon);
        }
        WaitUntil("an active MDS and its standbys", () =>
        {
            MdsRoles roles = Roles();
            return roles.Active is not null && roles.Standby.Count + roles.StandbyReplay.Count >= standbys;
        }, TimeSpan.FromSeconds(90));
        WaitUntil("all PGs active+clean", PgsClean, TimeSpan.FromSeconds(90));
    }

    private bool PgsClean()
    {
        using JsonDocument stat = CephJson("pg", "stat");
        JsonElement summary = stat.RootElement.TryGetProperty("pg_summary", out JsonElement s) ? s : stat.RootElement;
        long total = summary.GetProperty("num_pgs").GetInt64();
        long clean = summary.GetProperty("num_pg_by_state").EnumerateArray()
            .Where(e => e.GetProperty("name").GetString() == "active+clean").Sum(e => e.GetProperty("num").GetInt64());
        return total > 0 && clean == total;
    }

    public void Dispose()
    {
        var environment = new Dictionary<string, string?>
        {
            ["CLUSTER_KEEP"] = Environment.GetEnvironmentVariable("FAULTS_KEEP_CLUSTER") == "1" ? "1" : "0",
        };
        Script("cluster-down.sh", Directory, environment);
    }

    private static void Script(string name, string directory, IReadOnlyDictionary<string, string?>? environment = null) =>
        Command.Checked(Path.Combine(Repository.Root, "scripts", name), [directory], CommandTimeout, environment);
}
