using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>The mount lifecycle: configuration, mounting, statfs, and failing fast and clearly on bad input.</summary>
[Trait("Category", "Cluster")]
public sealed class MountTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void ConnectMountsTheNamedFileSystemAndReportsItsIdentity()
    {
        using var mount = CephMount.Connect(TestMounts.Admin());
        Assert.True(mount.IsMounted);
        Assert.Equal("cephfs", mount.FileSystemName);

        using var dump = JsonDocument.Parse(CephCli.Run("fs", "get", TestMounts.Env.FsName, "--format", "json"));
        Assert.Equal(dump.RootElement.GetProperty("id").GetInt64(), mount.FileSystemId);

        var status = mount.GetClientStatus();
        Assert.Equal((long)mount.InstanceId, status.Id);
        Assert.Equal(TestMounts.Env.FsName, status.FileSystem);
        Assert.False(status.Blocklisted);
        Assert.StartsWith($"client.{mount.InstanceId} ", status.Instance, StringComparison.Ordinal);

        using var version = JsonDocument.Parse(mount.AdminCommand("version"));
        Assert.Equal(CephMount.LibraryVersion, version.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public void AnAdminSocketAnsweringForAnotherClientIsRefused()
    {
        string shared = Path.Combine(TestMounts.Env.Directory, "run", TestMounts.UniqueName("shared") + ".asok");
        using var first = CephMount.Connect(new CephMountOptions
        {
            Id = "admin", ConfigFile = TestMounts.Env.ConfPath, AdminSocket = shared, MountTimeout = TestMounts.MountTimeout,
        });
        using var second = CephMount.Connect(new CephMountOptions
        {
            Id = "admin", ConfigFile = TestMounts.Env.ConfPath, AdminSocket = shared, MountTimeout = TestMounts.MountTimeout,
        });
        Assert.Equal((long)first.InstanceId, first.GetClientStatus().Id);
        var e = Assert.Throws<InvalidOperationException>(() => second.GetClientStatus());
        Assert.Contains($"not client.{second.InstanceId}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LibraryVersionIsTheInstalledCephs()
    {
        string cli = CephCli.Run("--version"); // "ceph version 16.2.15 (sha) pacific (stable)"
        string version = CephMount.LibraryVersion;
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Contains($"ceph version {version} ", cli, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsAreSetReadBackAndExpanded()
    {
        using var mount = CephMount.Create("admin");
        mount.ReadConfigFile(TestMounts.Env.ConfPath);
        Assert.Equal(TestMounts.Env.MonHost, mount.GetOption("mon_host"));

        mount.SetOption("client_cache_size", "4321");
        Assert.Equal("4321", mount.GetOption("client_cache_size"));
        mount.SetOption("client quota df", "false"); // spaces and underscores name the same option
        Assert.Equal("false", mount.GetOption("client_quota_df"));

        mount.SetOption("admin_socket", "/tmp/$name.$pid.asok");
        Assert.Equal($"/tmp/client.admin.{Environment.ProcessId}.asok", mount.GetOption("admin_socket"));

        var unknown = Assert.Throws<CephException>(() => mount.GetOption("no_such_option"));
        Assert.Equal(Errno.ENOENT, unknown.Errno);
        Assert.Equal("ENOENT from ceph_conf_get(\"no_such_option\"): No such file or directory", unknown.Message);
        var bad = Assert.Throws<CephException>(() => mount.SetOption("client_cache_size", "many"));
        Assert.Equal(Errno.EINVAL, bad.Errno);
        Assert.DoesNotContain("many", bad.Message, StringComparison.Ordinal); // values may be secrets

        string longValue = "/tmp/" + new string('x', 1500);
        mount.SetOption("log_file", longValue);
        Assert.Equal(longValue, mount.GetOption("log_file")); // larger than the first read buffer
    }

    [Fact]
    public void CommandLineAndEnvironmentOptionsApply()
    {
        using var mount = CephMount.Create("admin");
        // the first argument counts too: libcephfs skips argv[0], which ParseArguments supplies
        mount.ParseArguments(["--client_mount_timeout=7", "--client_cache_size", "777", "--no-such-option=1"]);
        Assert.Equal("7", mount.GetOption("client_mount_timeout"));
        Assert.Equal("777", mount.GetOption("client_cache_size"));

        // the native environment (.NET's Environment.SetEnvironmentVariable does not reach getenv). libcephfs
        // reads the variable once per process (a static vector), so this is the only test that parses one.
        const string variable = "CEPHCLIENT_TESTS_ARGS";
        Assert.Equal(0, NativeEnv.setenv(variable, "--client_cache_size=555 --client_oc_size=1048576", 1));
        try
        {
            mount.ParseEnvironment(variable);
        }
        finally
        {
            NativeEnv.unsetenv(variable);
        }
        Assert.Equal("1048576", mount.GetOption("client_oc_size"));
        Assert.Equal("777", mount.GetOption("client_cache_size")); // command line outranks the environment

        mount.SetMountTimeout(TimeSpan.FromSeconds(9.2));
        Assert.Equal("10", mount.GetOption("client_mount_timeout"));
    }

    [Fact]
    public void StatFsDescribesTheWholeFileSystem()
    {
        using var mount = CephMount.Connect(TestMounts.Admin());
        var stat = mount.StatFs("/");
        Assert.True(stat.Blocks > 0 && stat.FragmentSize > 0 && stat.BlockSize > 0, $"blocks {stat.Blocks} x {stat.FragmentSize}");
        Assert.True(stat.BlocksFree <= stat.Blocks && stat.BlocksAvailable <= stat.Blocks);
        Assert.Equal(255UL, stat.NameMax);
        // memstore was sized 8 GiB by the cluster script: the whole-cluster size shows through
        Assert.InRange(stat.TotalBytes, 1UL << 30, 64UL << 30);

        using var root = mount.LookupRoot();
        var ll = mount.StatFs(root);
        Assert.Equal(stat.Blocks, ll.Blocks);
        Assert.Equal(stat.FragmentSize, ll.FragmentSize);
    }

    [Fact]
    public void MountRootCanBeASubdirectory()
    {
        string name = TestMounts.UniqueName("subroot");
        using var admin = CephMount.Connect(TestMounts.Admin());
        using var root = admin.LookupRoot();
        try
        {
            using var dir = admin.MkDir(root, name);
            using var sub = CephMount.Connect(TestMounts.Admin("/" + name));
            using var subRoot = sub.LookupRoot();
            Assert.Equal(dir.Ino, subRoot.Ino);
            var dotdot = sub.LowLevel.Lookup(subRoot.Raw, ".."u8, out var parent, out var attr, StatxMask.Ino,
                AtFlags.None, sub.DefaultPerms);
            Assert.Equal(0, dotdot);
            // Pacific walks ".." of the mount root up to the real parent (here the file system root): a FUSE
            // bridge mounted on a subdirectory must answer ".." of its root itself
            Assert.Equal(CephSnap.RootIno, attr.Ino);
            Assert.True(sub.LowLevel.Put(parent) >= 0);
        }
        finally
        {
            TestMounts.RemoveTree(admin, root, name);
        }
    }

    [Fact]
    public void RestrictedClientMountsWithItsKeyFileOnly()
    {
        using var mount = CephMount.Connect(TestMounts.User());
        Assert.True(mount.IsMounted);
        Assert.Equal("fsuser", mount.Id);
        using var root = mount.LookupRoot();
        Assert.Equal(CephSnap.RootIno, root.Ino);
    }

    [Fact]
    public void WrongKeyFailsFastWithOneLine()
    {
        string keyFile = Path.Combine(Path.GetTempPath(), $"cephclient-wrong-{Guid.NewGuid():N}.key");
        // a well-formed cephx secret (type 1 = AES, created 0, 16 bytes) that the cluster never issued
        byte[] secret = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, .. RandomNumberGenerator.GetBytes(16)];
        string key = Convert.ToBase64String(secret);
        WriteSecret(keyFile, key);
        try
        {
            var options = TestMounts.Admin();
            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<CephException>(() => CephMount.Connect(new CephMountOptions
            {
                Id = "admin", ConfigFile = options.ConfigFile, FileSystem = options.FileSystem,
                Keyring = "/nonexistent/keyring", KeyFile = keyFile, MountTimeout = TimeSpan.FromSeconds(10),
                AdminSocket = options.AdminSocket,
            }));
            sw.Stop();
            Assert.True(sw.Elapsed < Bound, $"took {sw.Elapsed}");
            Assert.Equal("ceph_mount", e.Call);
            Assert.Contains(e.Errno, new[] { Errno.EACCES, Errno.EPERM, Errno.EKEYREJECTED, Errno.ETIMEDOUT });
            AssertOneLine(e);
            Assert.DoesNotContain(key, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public void UnreachableMonitorFailsWithinTheMountTimeout()
    {
        int port = FreePort();
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<CephException>(() => CephMount.Connect(new CephMountOptions
        {
            Id = "admin", MonHost = $"127.0.0.1:{port}", KeyFile = TestMounts.Env.AdminKeyFile,
            FileSystem = TestMounts.Env.FsName, MountTimeout = TimeSpan.FromSeconds(5),
        }));
        sw.Stop();
        Assert.True(sw.Elapsed < Bound, $"took {sw.Elapsed}");
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(4), $"gave up after {sw.Elapsed}, before the 5 s timeout");
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("within 5 s", e.Message, StringComparison.Ordinal);
        AssertOneLine(e);
    }

    [Fact]
    public void MalformedMonitorAddressIsReported()
    {
        var e = Assert.Throws<CephException>(() => CephMount.Connect(new CephMountOptions
        {
            Id = "admin", MonHost = "not a monitor", KeyFile = TestMounts.Env.AdminKeyFile,
            MountTimeout = TimeSpan.FromSeconds(5),
        }));
        AssertOneLine(e);
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("mon_host \"not a monitor\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFileSystemIsENOENT()
    {
        var options = TestMounts.Admin();
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<CephException>(() => CephMount.Connect(new CephMountOptions
        {
            Id = "admin", ConfigFile = options.ConfigFile, FileSystem = "no-such-fs", MountTimeout = options.MountTimeout,
            AdminSocket = options.AdminSocket,
        }));
        Assert.True(sw.Elapsed < Bound, $"took {sw.Elapsed}");
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains("\"no-such-fs\"", e.Message, StringComparison.Ordinal);
        AssertOneLine(e);
    }

    [Fact]
    public void MissingRootPathIsENOENT()
    {
        var e = Assert.Throws<CephException>(() => CephMount.Connect(TestMounts.Admin("/no/such/dir")));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("ceph_mount", e.Call);
        Assert.Contains("\"/no/such/dir\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DisposeWaitsForOpenHandlesThenUnmountsAndReleases()
    {
        var mount = CephMount.Connect(TestMounts.Admin());
        string socket = mount.AdminSocketPath;
        Assert.True(File.Exists(socket), $"{socket} missing");
        var root = mount.LookupRoot();

        var refused = Assert.Throws<InvalidOperationException>(mount.Unmount);
        Assert.Contains("1 inode references", refused.Message, StringComparison.Ordinal);

        mount.Dispose();
        // the mount answers no more calls, but the client lives until its last handle goes
        Assert.Equal(Errno.ENOTCONN, Assert.Throws<CephException>(() => mount.GetAttr(root)).Errno);
        Assert.True(File.Exists(socket), "released while a reference was open");

        root.Dispose(); // last handle: unmount + ceph_release, which removes the admin socket
        Assert.False(File.Exists(socket), $"{socket} still there after release");
    }

    [Fact]
    public void ExplicitUnmountThenDispose()
    {
        var mount = CephMount.Connect(TestMounts.Admin());
        using (var root = mount.LookupRoot())
            Assert.Equal(CephSnap.RootIno, root.Ino);
        mount.Unmount();
        Assert.False(mount.IsMounted);
        Assert.Equal(-Errno.ENOTCONN, mount.LowLevel.LookupRoot(out _));
        mount.Dispose();
        Assert.False(mount.IsMounted);
    }

    [Fact]
    public void AbortDropsTheConnectionsLikeACrash()
    {
        var mount = CephMount.Connect(TestMounts.Admin());
        ulong id = mount.InstanceId;
        try
        {
            Assert.Contains(id, SessionIds());
            mount.Abort();
            Assert.False(mount.IsMounted);
            Assert.Equal(-Errno.ENOTCONN, mount.LowLevel.LookupRoot(out _));
            mount.Dispose();
            // no session close was sent: the MDS keeps the session until it times out or is evicted
            Assert.Contains(id, SessionIds());
        }
        finally
        {
            mount.Dispose();
            CephCli.Run("tell", "mds.a", "client", "evict", $"id={id}");
        }
        Assert.DoesNotContain(id, SessionIds());
    }

    private static List<ulong> SessionIds()
    {
        using var doc = JsonDocument.Parse(CephCli.Run("tell", "mds.a", "session", "ls", "--format", "json"));
        return doc.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetUInt64()).ToList();
    }

    [Fact]
    public void CallbacksNeedAnInitializedClient()
    {
        using var mount = CephMount.Create("admin");
        Assert.Throws<InvalidOperationException>(() => mount.RegisterCallbacks(new NoCallbacks(), CephCallbackKinds.InvalidateInode));
    }

    private sealed class NoCallbacks : ICephClientCallbacks;

    private static void AssertOneLine(CephException e)
    {
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    /// <summary>Writes a key file created with mode 0600 (never readable by others, not even briefly).</summary>
    private static void WriteSecret(string path, string content)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException();
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(System.Text.Encoding.ASCII.GetBytes(content));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static partial class NativeEnv
{
    // int setenv(const char *name, const char *value, int overwrite);
    [System.Runtime.InteropServices.LibraryImport("libc.so.6", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    internal static partial int setenv(string name, string value, int overwrite);

    // int unsetenv(const char *name);
    [System.Runtime.InteropServices.LibraryImport("libc.so.6", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    internal static partial int unsetenv(string name);
}
