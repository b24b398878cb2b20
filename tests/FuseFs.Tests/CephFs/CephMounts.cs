using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// Three clients of the test cluster's CephFS, mounted once for the collection: managed-cephfuse with its default
/// timeouts (1 s), managed-cephfuse with 30 s timeouts (anything it sees sooner came by invalidation, not by a
/// timeout running out), and Debian's ceph-fuse. Every test works in a directory of its own.
/// </summary>
public sealed class CephMounts : IDisposable
{
    private readonly List<DaemonMount> _mounts = [];

    public CephMounts()
    {
        try
        {
            Ceph.AllowSnapshots();
            Ours = Add(DaemonMount.Ours());
            OursLong = Add(DaemonMount.Ours(extra: ["-o", "entry_timeout=30,attr_timeout=30"]));
            CephFuse = Add(DaemonMount.CephFuse());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>managed-cephfuse, default options.</summary>
    internal DaemonMount Ours { get; } = null!;

    /// <summary>managed-cephfuse caching names and attributes for 30 s.</summary>
    internal DaemonMount OursLong { get; } = null!;

    /// <summary>Debian's ceph-fuse.</summary>
    internal DaemonMount CephFuse { get; } = null!;

    /// <summary>A new, empty directory at the root of the file system; its name (the same in every mount).</summary>
    internal string NewDirectory(string label)
    {
        string name = $"t-{label}-{Guid.NewGuid():N}"[..Math.Min(48, label.Length + 35)];
        Directory.CreateDirectory(Ours[name]);
        return name;
    }

    public void Dispose()
    {
        foreach (DaemonMount mount in _mounts)
            mount.Dispose();
        _mounts.Clear();
    }

    private DaemonMount Add(DaemonMount mount)
    {
        _mounts.Add(mount);
        return mount;
    }
}

[CollectionDefinition(Name)]
public sealed class CephFsTests : ICollectionFixture<CephMounts>
{
    /// <summary>The CephFS tests run one after another: they share three mounts and a 2-core machine.</summary>
    public const string Name = "CephFs";
}
