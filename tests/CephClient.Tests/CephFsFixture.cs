using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>Mount options for the test cluster; each mount gets its own admin socket.</summary>
internal static class TestMounts
{
    public static readonly TimeSpan MountTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Unique within this test run, so parallel test classes and repeated runs never collide.</summary>
    public static readonly string RunId = $"{DateTime.UtcNow:HHmmss}-{Environment.ProcessId}";

    private static int _sequence;

    public static ClusterEnv Env => ClusterEnv.Current;

    public static string UniqueName(string prefix) => $"{prefix}-{RunId}-{Interlocked.Increment(ref _sequence)}";

    /// <summary>client.admin with the keyring the cluster's ceph.conf points at.</summary>
    public static CephMountOptions Admin(string root = "/") => new()
    {
        Id = "admin",
        ConfigFile = Env.ConfPath,
        FileSystem = Env.FsName,
        Root = root,
        MountTimeout = MountTimeout,
        AdminSocket = AdminSocket(),
    };

    /// <summary>The restricted client.fsuser (<c>fs authorize cephfs client.fsuser / rw</c>) with only its key file.</summary>
    public static CephMountOptions User(string root = "/") => new()
    {
        Id = Env.UserId,
        ConfigFile = Env.ConfPath,
        Keyring = "/nonexistent/keyring", // prove the key file alone authenticates
        KeyFile = Env.UserKeyFile,
        FileSystem = Env.FsName,
        Root = root,
        MountTimeout = MountTimeout,
        AdminSocket = AdminSocket(),
    };

    public static string AdminSocket() => Path.Combine(Env.Directory, "run", "$name.$pid.$cctid.asok");

    /// <summary>Removes a directory tree through the throwing layer (snapshots must be gone already).</summary>
    public static void RemoveTree(CephMount mount, CephInode parent, string name)
    {
        CephInode dir;
        try
        {
            dir = mount.Lookup(parent, name);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return;
        }
        using (dir)
        {
            if (UnixMode.IsDirectory(mount.GetAttr(dir, StatxMask.Mode).Mode))
            {
                foreach (var entry in mount.ListDirectory(dir))
                {
                    if (entry.Type == DirentType.Directory)
                        RemoveTree(mount, dir, entry.Name);
                    else
                        mount.Unlink(dir, entry.Name);
                }
            }
        }
        using var again = mount.Lookup(parent, name);
        if (UnixMode.IsDirectory(mount.GetAttr(again, StatxMask.Mode).Mode))
            mount.RmDir(parent, name);
        else
            mount.Unlink(parent, name);
    }
}

/// <summary>
/// An admin mount and a directory of its own under the CephFS root for one test class, removed (with everything
/// in it) when the class is done.
/// </summary>
public sealed class CephFsFixture : IDisposable
{
    public CephFsFixture()
    {
        Mount = CephMount.Connect(TestMounts.Admin());
        try
        {
            Root = Mount.LookupRoot();
            DirName = TestMounts.UniqueName("cephclient");
            Dir = Mount.MkDir(Root, DirName, 0x1FF); // 0777
        }
        catch
        {
            Root?.Dispose();
            Mount.Dispose();
            throw;
        }
    }

    public CephMount Mount { get; }
    public CephInode Root { get; }
    public CephInode Dir { get; }
    public string DirName { get; }

    /// <summary>The fixture directory's path from the file system root.</summary>
    public string DirPath => "/" + DirName;

    /// <summary>A fresh directory for one test.</summary>
    public CephInode NewDir(out string name)
    {
        name = TestMounts.UniqueName("d");
        return Mount.MkDir(Dir, name, 0x1FF);
    }

    public void Dispose()
    {
        Dir.Dispose();
        try
        {
            TestMounts.RemoveTree(Mount, Root, DirName);
        }
        finally
        {
            Root.Dispose();
            Mount.Dispose();
        }
    }
}
