namespace ManagedCephFuse.TestSupport;

/// <summary>
/// The throwaway cluster's connection details, read from <c>$CLUSTER_DIR/env</c> (default
/// <c>.cluster/env</c>) as written by scripts/cluster-up.sh. A missing cluster is a failure, not a skip.
/// </summary>
public sealed class ClusterEnv
{
    private static readonly Lazy<ClusterEnv> LazyCurrent = new(Load);
    private readonly IReadOnlyDictionary<string, string> _values;

    private ClusterEnv(IReadOnlyDictionary<string, string> values) => _values = values;

    public static ClusterEnv Current => LazyCurrent.Value;

    public string Directory => this["CLUSTER_DIR"];
    public string ConfPath => this["CEPH_CONF"];
    public string MonHost => this["CEPH_MON_HOST"];
    /// <summary>The mon's msgr v1 address (ip:port), as the kernel client and CSI config.json take it.</summary>
    public string MonV1 => this["CEPH_MON_V1"];
    public string FsName => this["CEPH_FS"];
    public string Fsid => this["CEPH_FSID"];
    public string AdminKeyring => this["CEPH_ADMIN_KEYRING"];
    public string AdminKeyFile => this["CEPH_ADMIN_KEYFILE"];
    public string UserId => this["CEPH_USER_ID"];
    public string UserKeyFile => this["CEPH_USER_KEYFILE"];
    public string CsiProvisionerId => this["CEPH_CSI_PROVISIONER_ID"];
    public string CsiProvisionerKeyFile => this["CEPH_CSI_PROVISIONER_KEYFILE"];
    public string CsiNodeId => this["CEPH_CSI_NODE_ID"];
    public string CsiNodeKeyFile => this["CEPH_CSI_NODE_KEYFILE"];

    /// <summary>The base64 secret of a key file (for APIs and CSI secrets that take the key itself).</summary>
    public static string ReadKey(string keyFile) => File.ReadAllText(keyFile).Trim();

    public string this[string key] =>
        _values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"{key} is not in the cluster env");

    /// <summary>The env of a cluster scripts/cluster-up.sh made in <paramref name="directory"/> (e.g. the fault
    /// suite's own cluster).</summary>
    public static ClusterEnv FromDirectory(string directory)
    {
        string file = Path.Combine(directory, "env");
        if (!File.Exists(file))
            throw new InvalidOperationException($"{file} is missing: no cluster was started in {directory}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(file))
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && !line.StartsWith('#'))
                values[line[..eq]] = line[(eq + 1)..];
        }
        return new ClusterEnv(values);
    }

    private static ClusterEnv Load()
    {
        string dir = Environment.GetEnvironmentVariable("CLUSTER_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Repository.Root, ".cluster");
        if (!File.Exists(Path.Combine(dir, "env")))
            throw new InvalidOperationException($"{Path.Combine(dir, "env")} is missing: the test cluster is not running (make cluster)");
        return FromDirectory(dir);
    }
}
