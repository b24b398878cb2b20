using Xunit;
using System.Diagnostics;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.CephClient.Tests.Admin;

[Trait("Category", "Cluster")]
public sealed class BadInputTests(AdminTestCluster cluster) : IClassFixture<AdminTestCluster>
{
    // a well-formed cephx secret that belongs to nobody
    private const string WrongKey = "AQBw3Xxl7lKfLRAAm6VUVa7e4bm1m8lL2n2ZoQ==";

    [Fact]
    public void WrongKeyFailsAtOnceWithAOneLineMessageWithoutTheKey()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<CephException>(() =>
            CephAdmin.Connect(cluster.AdminOptions() with { KeyFile = null, Key = WrongKey }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(e.Errno is Errno.EACCES or Errno.EPERM, e.Message);
        Assert.Equal("rados_connect", e.Call);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain(WrongKey, e.Message, StringComparison.Ordinal);
        Assert.Contains("client.admin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedKeyIsRejected()
    {
        var e = Assert.Throws<CephException>(() =>
            CephAdmin.Connect(cluster.AdminOptions() with { KeyFile = null, Key = "not base64 at all" }));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.DoesNotContain("not base64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongMonitorFailsInBoundedTime()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<CephException>(() => CephAdmin.Connect(cluster.AdminOptions() with
        {
            MonHost = "127.0.0.1:1",
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("127.0.0.1:1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSubvolumeAndFileSystemAreEnoent()
    {
        var admin = cluster.Admin;
        string fs = cluster.FsName;
        string name = AdminTestCluster.Unique("missing");
        var getpath = Assert.Throws<CephException>(() => admin.GetSubvolumePath(fs, name));
        Assert.Equal(Errno.ENOENT, getpath.Errno);
        Assert.Equal("rados_mgr_command", getpath.Call);
        Assert.Contains(name, getpath.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => admin.GetSubvolumeInfo(fs, name)).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => admin.ResizeSubvolume(fs, name, 1 << 30)).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => admin.RemoveSubvolume(fs, name)).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => admin.GetSubvolumePath(fs, "x", group: name)).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => admin.GetFileSystem("no-such-fs")).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => admin.CreateSubvolume("no-such-fs", name)).Errno);
    }

    [Fact]
    public void ATimedOutMgrCommandIsBoundedAndHarmless()
    {
        // Far too short for the mgr to answer: the caller gets ETIMEDOUT at once; the command completes in the
        // background into buffers that are still alive, and the session closes after it (no crash, no hang).
        // Now and then the answer does beat the zero wait (a busy machine can deschedule the caller between
        // sending and waiting); then it must be the right answer.
        int timedOut = 0;
        for (int i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var impatient = CephAdmin.Connect(cluster.AdminOptions() with { OperationTimeout = TimeSpan.FromTicks(1) }))
            {
                try
                {
                    Assert.NotNull(impatient.ListSubvolumes(cluster.FsName));
                }
                catch (CephException e)
                {
                    Assert.Equal(Errno.ETIMEDOUT, e.Errno);
                    Assert.Equal("rados_mgr_command", e.Call);
                    timedOut++;
                }
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        }
        Assert.True(timedOut >= 15, $"only {timedOut} of 20 commands timed out");
        Thread.Sleep(2000); // late answers arrive now
        Assert.NotEmpty(cluster.Admin.ListFileSystems());
    }

    [Fact]
    public void KeyWithoutMgrCapsGetsEaccesOnVolumesCommands()
    {
        var env = cluster.Env;
        using var user = CephAdmin.Connect(new RadosOptions
        {
            ClientId = env.UserId,
            MonHost = env.MonHost,
            Key = ClusterEnv.ReadKey(env.UserKeyFile),
        });
        // mon reads are allowed by `fs authorize` …
        Assert.Contains(user.ListFileSystems(), f => f.Name == env.FsName);
        // … mgr commands are not
        var e = Assert.Throws<CephException>(() => user.ListSubvolumes(env.FsName));
        Assert.Equal(Errno.EACCES, e.Errno);
        Assert.Contains("mgr caps", e.Message, StringComparison.Ordinal);
    }
}
