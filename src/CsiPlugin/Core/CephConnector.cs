using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Secrets;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>
/// Opens an admin session to a volume's cluster with the request's credentials. The key goes to librados in
/// memory; the session is per request (credentials come with each request) and bounded in time.
/// </summary>
internal sealed class CephConnector(string cephConf)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// config.json lists monitors as <c>ip:port</c>, the msgr v1 form the kernel client and ceph-fuse's <c>-m</c>
    /// take. librados treats a bare address on a non-standard port as "either protocol" and, when the key is
    /// rejected, keeps hunting until the timeout; saying <c>v1:</c> makes a wrong key fail at once (EACCES).
    /// Port 3300 (msgr v2) and addresses that already name their protocol are left alone.
    /// </summary>
    public static string LibradosMonHost(string monitors) => string.Join(',', monitors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(m => m.StartsWith("v1:", StringComparison.Ordinal) || m.StartsWith("v2:", StringComparison.Ordinal) ||
                     m.StartsWith('[') || m.EndsWith(":3300", StringComparison.Ordinal) || !m.Contains(':', StringComparison.Ordinal)
            ? m
            : "v1:" + m));

    public CephAdmin Connect(string monitors, Credentials credentials)
    {
        try
        {
            return CephAdmin.Connect(new RadosOptions
            {
                ClientId = credentials.Id,
                Key = credentials.Key,
                MonHost = LibradosMonHost(monitors),
                ConfPath = File.Exists(cephConf) ? cephConf : null,
                ConnectTimeout = ConnectTimeout,
                OperationTimeout = OperationTimeout,
            });
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"connecting to the cluster as {credentials}");
        }
    }
}
