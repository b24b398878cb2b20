using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CsiPlugin.Util;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>
/// Opens an admin session to a volume's cluster with the request's credentials. The key goes to librados in
/// memory; the session is per request (credentials come with each request) and bounded in time.
/// </summary>
internal sealed class CephConnector(string cephConf)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(60);

    public CephAdmin Connect(string monitors, Credentials credentials)
    {
        try
        {
            return CephAdmin.Connect(new RadosOptions
            {
                ClientId = credentials.Id,
                Key = credentials.Key,
                MonHost = monitors,
                ConfPath = File.Exists(cephConf) ? cephConf : null,
                ConnectTimeout = ConnectTimeout,
                OperationTimeout = OperationTimeout,
            });
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"connecting to the cluster as {credentials}");
        }
    }
}
