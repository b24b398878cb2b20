using ManagedCephFuse.FuseFs.Hosting;
using ManagedCephFuse.FuseFs.Kernel.Interop;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.Unit;

/// <summary>The ceph-fuse compatible command line.</summary>
[Trait("Category", "Unit")]
public sealed class CommandLineTests
{
    private static CommandLine Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, out CommandLine result, out string error), error);
        return result;
    }

    private static string Fails(params string[] args)
    {
        Assert.False(CommandLine.TryParse(args, out _, out string error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain('\n', error);
        return error;
    }

    [Fact]
    public void CephCsiV300Invocation()
    {
        // <mp> -m <mons> -c <conf> -n client.<id> --keyfile=<f> -r <path> -o nonempty ,<opts> --client_mds_namespace=<fs>
        CommandLine c = Parse("/var/lib/kubelet/x/globalmount", "-m", "10.0.0.1:6789,10.0.0.2:6789", "-c", "/etc/ceph/ceph.conf",
            "-n", "client.csi-node", "--keyfile=/tmp/key", "-r", "/volumes/csi/v1", "-o", "nonempty", ",ro,noatime",
            "--client_mds_namespace=myfs");
        Assert.Equal("/var/lib/kubelet/x/globalmount", c.MountPoint);
        Assert.Equal("10.0.0.1:6789,10.0.0.2:6789", c.MonHost);
        Assert.Equal("/etc/ceph/ceph.conf", c.ConfPath);
        Assert.Equal("client.csi-node", c.Name);
        Assert.Equal("/tmp/key", c.KeyFile);
        Assert.Equal("/volumes/csi/v1", c.ClientMountpoint);
        Assert.Equal("myfs", c.ClientFs);
        Assert.True(c.MountOptions.NonEmpty);
        Assert.True(c.MountOptions.ReadOnly);
        Assert.Equal(LibC.MS_NOATIME, c.MountOptions.MountFlags & LibC.MS_NOATIME);
        Assert.Equal(Backend.Ceph, c.Backend);
        Assert.False(c.Foreground);
    }

    [Fact]
    public void MountsAreNosuidAndNodevUnlessAskedOtherwise()
    {
        const int NoSuidNoDev = LibC.MS_NOSUID | LibC.MS_NODEV;
        Assert.Equal(NoSuidNoDev, Parse("/mnt/x").MountOptions.MountFlags & NoSuidNoDev);
        Assert.Equal(LibC.MS_NODEV, Parse("/mnt/x", "-o", "suid").MountOptions.MountFlags & NoSuidNoDev);
        Assert.Equal(0, Parse("/mnt/x", "-o", "suid,dev").MountOptions.MountFlags & NoSuidNoDev);
    }

    [Fact]
    public void OptionsBeforeOrAfterTheMountPointMeanTheSame()
    {
        CommandLine before = Parse("--backend", "memory", "-f", "-o", "allow_other,default_permissions", "/mnt/x");
        CommandLine after = Parse("/mnt/x", "-o", "allow_other,default_permissions", "-f", "--backend=memory");
        foreach (CommandLine c in new[] { before, after })
        {
            Assert.Equal("/mnt/x", c.MountPoint);
            Assert.Equal(Backend.Memory, c.Backend);
            Assert.True(c.Foreground);
            Assert.True(c.MountOptions.DefaultPermissions);
            Assert.True(c.MountOptions.AllowOther);
        }
    }

    [Fact]
    public void CephGenericOptionsAndAliases()
    {
        CommandLine c = Parse("/mnt", "-i", "fsuser", "-k", "/k", "--client-fs", "cephfs", "--client_mountpoint=/sub",
            "--client_oc_size=1000", "--admin-socket", "/run/a.asok", "--fuse_default_permissions", "-o", "ceph.client_acl_type=posix_acl",
            "--conf=/c", "--mon_host=1.2.3.4");
        Assert.Equal("client.fsuser", c.Name);
        Assert.Equal("/k", c.Keyring);
        Assert.Equal("cephfs", c.ClientFs);
        Assert.Equal("/sub", c.ClientMountpoint);
        Assert.Equal("/c", c.ConfPath);
        Assert.Equal("1.2.3.4", c.MonHost);
        Assert.Equal("1000", c.CephOption("client_oc_size"));
        Assert.Equal("/run/a.asok", c.CephOption("admin_socket"));
        Assert.Equal("true", c.CephOption("fuse_default_permissions"));
        Assert.Equal("posix_acl", c.CephOption("client_acl_type"));
    }

    [Fact]
    public void DebugMeansForegroundAndVersionAndHelpNeedNoMountPoint()
    {
        CommandLine d = Parse("-d", "/m");
        Assert.True(d.Debug);
        Assert.True(d.Foreground);
        Assert.True(Parse("-V").ShowVersion);
        Assert.True(Parse("--version").ShowVersion);
        Assert.True(Parse("-h").ShowHelp);
        Assert.Null(Parse("--help").MountPoint);
    }

    [Theory]
    [InlineData("-x", "/m")]
    [InlineData("/m", "/other")]
    [InlineData("/m", "-o", "bogus_option")]
    [InlineData("/m", "-o", "max_write=abc")]
    [InlineData("/m", "-o", "entry_timeout=-1")]
    [InlineData("/m", "-n", "admin")]
    [InlineData("/m", "-r", "relative/path")]
    [InlineData("/m", "--backend", "nfs")]
    [InlineData("/m", ",ro")]
    [InlineData("/m", "-m")]
    [InlineData("/m", "--keyfile")]
    [InlineData("/m", "-o", "fsname=")]
    public void BadArgumentsGiveOneClearLine(params string[] args) => Fails(args);

    [Fact]
    public void TheDaemonChildFlagIsNotPassedOnAsAnArgument()
    {
        CommandLine c = Parse(CommandLine.DaemonChildFlag, "/m", "--backend", "memory");
        Assert.True(c.DaemonChild);
        Assert.DoesNotContain(CommandLine.DaemonChildFlag, c.Arguments);
        Assert.Equal(["/m", "--backend", "memory"], c.Arguments);
    }
}
