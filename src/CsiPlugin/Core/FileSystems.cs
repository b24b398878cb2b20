using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>A file system's id (fscid, the volume ID's location) and metadata pool (where the journal lives).</summary>
internal sealed record FileSystemLocation(string Name, long Fscid, string MetadataPool);

/// <summary>File system look-ups through the mon commands <c>fs get</c>, <c>fs ls</c> and <c>fs dump</c>.</summary>
internal static class FileSystems
{
    /// <summary>By name; an invalid input when the cluster has no such file system.</summary>
    public static FileSystemLocation ByName(CephAdmin admin, string fsName)
    {
        try
        {
            var entry = FindEntry(admin, fsName)
                ?? throw CoreException.InvalidInput($"file system {fsName} does not exist in the cluster");
            var info = admin.GetFileSystem(fsName);
            return new FileSystemLocation(fsName, info.Id, entry.MetadataPool);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            throw CoreException.InvalidInput($"file system {fsName} does not exist in the cluster");
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"looking up file system {fsName}");
        }
    }

    /// <summary>By fscid (from a volume ID); null when no file system has that id any more.</summary>
    public static FileSystemLocation? ById(CephAdmin admin, long fscid)
    {
        try
        {
            var fs = admin.DumpFileSystems().FileSystems.FirstOrDefault(f => f.Id == fscid);
            if (fs is null)
                return null;
            var entry = FindEntry(admin, fs.Name);
            return entry is null ? null : new FileSystemLocation(fs.Name, fscid, entry.MetadataPool);
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"looking up file system id {fscid}");
        }
    }

    private static FileSystemEntry? FindEntry(CephAdmin admin, string fsName) =>
        admin.ListFileSystems().FirstOrDefault(f => f.Name == fsName);
}
