namespace ManagedCephFuse.CephClient.Rados;

/// <summary>
/// How to reach a cluster with librados. The secret goes to librados in memory (<c>key</c> option) or as a key
/// file path; it is never put into messages, logs or exceptions.
/// </summary>
public sealed record RadosOptions
{
    /// <summary>The cephx id without the <c>client.</c> prefix, e.g. <c>admin</c>.</summary>
    public required string ClientId { get; init; }

    /// <summary>A ceph.conf to read first; null reads none (everything comes from the properties below).</summary>
    public string? ConfPath { get; init; }

    /// <summary>Monitor addresses (<c>mon_host</c>), e.g. <c>127.0.0.1:6789,127.0.0.2:6789</c>; overrides the conf.</summary>
    public string? MonHost { get; init; }

    /// <summary>The base64 cephx secret (given to librados in memory).</summary>
    public string? Key { get; init; }

    /// <summary>A file holding the base64 cephx secret (alternative to <see cref="Key"/>).</summary>
    public string? KeyFile { get; init; }

    /// <summary>Bound on <c>rados_connect</c> (<c>client_mount_timeout</c>): a wrong monitor fails after this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bound on each mon/mgr command (enforced by <see cref="RadosCluster"/>) and OSD operation
    /// (<c>rados_osd_op_timeout</c>).
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Further config options set before connecting (name → value).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>The entity name librados authenticates as, e.g. <c>client.admin</c>.</summary>
    public string EntityName => "client." + ClientId;
}
