using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.CephClient.Tests.Admin;

/// <summary>One admin session on the test cluster, shared by a test class; every name it hands out is unique.</summary>
public sealed class AdminTestCluster : IDisposable
{
    public AdminTestCluster()
    {
        Env = ClusterEnv.Current;
        Admin = CephAdmin.Connect(AdminOptions());
    }

    public ClusterEnv Env { get; }
    public CephAdmin Admin { get; }
    public string FsName => Env.FsName;

    /// <summary>client.admin without a conf file: monitors and key come from the cluster env.</summary>
    public RadosOptions AdminOptions() => new()
    {
        ClientId = "admin",
        MonHost = Env.MonHost,
        KeyFile = Env.AdminKeyFile,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        OperationTimeout = TimeSpan.FromSeconds(60),
    };

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public void Dispose() => Admin.Dispose();
}
