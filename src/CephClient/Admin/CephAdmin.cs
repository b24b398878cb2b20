using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ManagedCephFuse.CephClient.Rados;

namespace ManagedCephFuse.CephClient.Admin;

/// <summary>
/// Typed CephFS administration over one librados session: the mon commands <c>fs ls|get|dump</c> and the mgr
/// volumes module's <c>fs subvolumegroup …</c>, <c>fs subvolume …</c>, snapshot and clone commands — the
/// calls go-ceph's fsadmin makes for ceph-csi. Failures throw <see cref="CephException"/> carrying the errno
/// and the module's message (ENOENT for a missing subvolume, EACCES for a key without mgr caps).
/// </summary>
public sealed class CephAdmin : IDisposable
{
    private readonly bool _ownsCluster;

    public CephAdmin(RadosCluster cluster, bool ownsCluster = false)
    {
        Cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        _ownsCluster = ownsCluster;
    }

    /// <summary>The librados session the commands go through (also for omap access).</summary>
    public RadosCluster Cluster { get; }

    /// <summary>Connects a session of its own (bounded by <see cref="RadosOptions.ConnectTimeout"/>).</summary>
    public static CephAdmin Connect(RadosOptions options) => new(RadosCluster.Connect(options), ownsCluster: true);

    // --- file systems (mon commands) ---------------------------------------------------------------

    /// <summary><c>fs ls</c>: every file system with its pools.</summary>
    public IReadOnlyList<FileSystemEntry> ListFileSystems()
    {
        var list = Mon(new CephCommand("fs ls").Json(), AdminJsonContext.Default.ListFsLsEntryJson);
        return list.ConvertAll(e => new FileSystemEntry(e.Name, e.MetadataPool, e.MetadataPoolId, e.DataPools, e.DataPoolIds));
    }

    /// <summary><c>fs get</c>: the file system's id (fscid) and pools; ENOENT when there is none of that name.</summary>
    public FileSystemInfo GetFileSystem(string fsName)
    {
        var fs = Mon(new CephCommand("fs get").Add("fs_name", fsName).Json(), AdminJsonContext.Default.FileSystemJson);
        return ToInfo(fs);
    }

    /// <summary><c>fs dump</c>: the FSMap (maps a fscid back to its name).</summary>
    public FileSystemMap DumpFileSystems()
    {
        var dump = Mon(new CephCommand("fs dump").Json(), AdminJsonContext.Default.FsDumpJson);
        return new FileSystemMap(dump.Epoch, dump.DefaultFscid, dump.FileSystems.ConvertAll(ToInfo));
    }

    // --- subvolume groups ---------------------------------------------------------------------------

    /// <summary><c>fs subvolumegroup create</c> (idempotent).</summary>
    public void CreateSubvolumeGroup(string fsName, string group, string? poolLayout = null, string? mode = null) =>
        Mgr(new CephCommand("fs subvolumegroup create").Add("vol_name", fsName).Add("group_name", group)
            .Add("pool_layout", poolLayout).Add("mode", mode));

    /// <summary><c>fs subvolumegroup rm</c>; ENOENT when missing unless <paramref name="force"/>, ENOTEMPTY when it has subvolumes.</summary>
    public void RemoveSubvolumeGroup(string fsName, string group, bool force = false) =>
        Mgr(new CephCommand("fs subvolumegroup rm").Add("vol_name", fsName).Add("group_name", group).Add("force", force));

    /// <summary><c>fs subvolumegroup getpath</c>, e.g. <c>/volumes/csi</c>.</summary>
    public string GetSubvolumeGroupPath(string fsName, string group) =>
        Mgr(new CephCommand("fs subvolumegroup getpath").Add("vol_name", fsName).Add("group_name", group)).Output.Trim();

    // --- subvolumes ---------------------------------------------------------------------------------

    /// <summary><c>fs subvolume create</c> (idempotent: an existing subvolume is left as it is).</summary>
    public void CreateSubvolume(string fsName, string name, SubvolumeCreateOptions? options = null)
    {
        options ??= new SubvolumeCreateOptions();
        Mgr(new CephCommand("fs subvolume create").Add("vol_name", fsName).Add("sub_name", name)
            .Add("group_name", options.Group).Add("size", options.Size).Add("mode", options.Mode)
            .Add("pool_layout", options.PoolLayout).Add("uid", options.Uid).Add("gid", options.Gid)
            .Add("namespace_isolated", options.NamespaceIsolated));
    }

    /// <summary><c>fs subvolume getpath</c>: <c>/volumes/&lt;group&gt;/&lt;name&gt;/&lt;uuid&gt;</c>; ENOENT when missing.</summary>
    public string GetSubvolumePath(string fsName, string name, string? group = null) =>
        Mgr(new CephCommand("fs subvolume getpath").Add("vol_name", fsName).Add("sub_name", name)
            .Add("group_name", group)).Output.Trim();

    /// <summary>
    /// <c>fs subvolume resize</c> to <paramref name="newSize"/> bytes (null removes the quota). With
    /// <paramref name="noShrink"/> (what ceph-csi passes) the mgr refuses a size below the bytes in use (EINVAL).
    /// </summary>
    public SubvolumeResizeResult ResizeSubvolume(string fsName, string name, long? newSize, string? group = null,
        bool noShrink = true)
    {
        string size = newSize is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "inf";
        var entries = Mgr(new CephCommand("fs subvolume resize").Add("vol_name", fsName).Add("sub_name", name)
            .Add("new_size", size).Add("group_name", group).Add("no_shrink", noShrink),
            AdminJsonContext.Default.ListDictionaryStringJsonElement);
        long used = 0;
        long? quota = null;
        foreach (var entry in entries)
        {
            if (entry.TryGetValue("bytes_used", out var u))
                used = AdminJsonContext.Bytes(u) ?? 0;
            if (entry.TryGetValue("bytes_quota", out var q))
                quota = AdminJsonContext.Bytes(q) is > 0 and var limit ? limit : null; // 0 means no quota
        }
        return new SubvolumeResizeResult(used, quota);
    }

    /// <summary>
    /// <c>fs subvolume rm</c>: ENOENT when missing (unless <paramref name="force"/>), ENOTEMPTY when it has
    /// snapshots (unless <paramref name="retainSnapshots"/>).
    /// </summary>
    public void RemoveSubvolume(string fsName, string name, string? group = null, bool force = false,
        bool retainSnapshots = false) =>
        Mgr(new CephCommand("fs subvolume rm").Add("vol_name", fsName).Add("sub_name", name).Add("group_name", group)
            .Add("force", force).Add("retain_snapshots", retainSnapshots));

    /// <summary><c>fs subvolume info</c>; ENOENT when missing.</summary>
    public SubvolumeInfo GetSubvolumeInfo(string fsName, string name, string? group = null)
    {
        var i = Mgr(new CephCommand("fs subvolume info").Add("vol_name", fsName).Add("sub_name", name)
            .Add("group_name", group), AdminJsonContext.Default.SubvolumeInfoJson);
        return new SubvolumeInfo(i.Path, AdminJsonContext.Bytes(i.BytesQuota), AdminJsonContext.Bytes(i.BytesUsed) ?? 0,
            i.DataPool, i.PoolNamespace, i.Mode, i.Uid, i.Gid, i.State, i.Type, i.CreatedAt, i.MonAddrs, i.Features);
    }

    /// <summary><c>fs subvolume ls</c>: the subvolume names in a group; ENOENT when the group does not exist.</summary>
    public IReadOnlyList<string> ListSubvolumes(string fsName, string? group = null) =>
        Mgr(new CephCommand("fs subvolume ls").Add("vol_name", fsName).Add("group_name", group),
            AdminJsonContext.Default.ListNameJson).ConvertAll(n => n.Name);

    // --- snapshots and clones -----------------------------------------------------------------------

    /// <summary><c>fs subvolume snapshot create</c>.</summary>
    public void CreateSubvolumeSnapshot(string fsName, string subvolume, string snapshot, string? group = null) =>
        Mgr(new CephCommand("fs subvolume snapshot create").Add("vol_name", fsName).Add("sub_name", subvolume)
            .Add("snap_name", snapshot).Add("group_name", group));

    /// <summary><c>fs subvolume snapshot rm</c>: ENOENT when missing (unless <paramref name="force"/>), EAGAIN with pending clones.</summary>
    public void RemoveSubvolumeSnapshot(string fsName, string subvolume, string snapshot, string? group = null,
        bool force = false) =>
        Mgr(new CephCommand("fs subvolume snapshot rm").Add("vol_name", fsName).Add("sub_name", subvolume)
            .Add("snap_name", snapshot).Add("group_name", group).Add("force", force));

    /// <summary><c>fs subvolume snapshot ls</c>: snapshot names.</summary>
    public IReadOnlyList<string> ListSubvolumeSnapshots(string fsName, string subvolume, string? group = null) =>
        Mgr(new CephCommand("fs subvolume snapshot ls").Add("vol_name", fsName).Add("sub_name", subvolume)
            .Add("group_name", group), AdminJsonContext.Default.ListNameJson).ConvertAll(n => n.Name);

    /// <summary><c>fs subvolume snapshot info</c>; ENOENT when missing.</summary>
    public SubvolumeSnapshotInfo GetSubvolumeSnapshotInfo(string fsName, string subvolume, string snapshot,
        string? group = null)
    {
        var i = Mgr(new CephCommand("fs subvolume snapshot info").Add("vol_name", fsName).Add("sub_name", subvolume)
            .Add("snap_name", snapshot).Add("group_name", group), AdminJsonContext.Default.SnapshotInfoJson);
        return new SubvolumeSnapshotInfo(i.CreatedAt, i.DataPool,
            string.Equals(i.HasPendingClones, "yes", StringComparison.OrdinalIgnoreCase), AdminJsonContext.Bytes(i.Size),
            i.PendingClones.ConvertAll(c => c.Name));
    }

    /// <summary><c>fs subvolume snapshot clone</c>: starts an asynchronous clone; follow it with <see cref="GetCloneStatus"/>.</summary>
    public void CloneSubvolumeSnapshot(string fsName, string subvolume, string snapshot, string target,
        CloneOptions? options = null)
    {
        options ??= new CloneOptions();
        Mgr(new CephCommand("fs subvolume snapshot clone").Add("vol_name", fsName).Add("sub_name", subvolume)
            .Add("snap_name", snapshot).Add("target_sub_name", target).Add("group_name", options.Group)
            .Add("target_group_name", options.TargetGroup).Add("pool_layout", options.PoolLayout));
    }

    /// <summary><c>fs clone status</c> of a clone (in its group).</summary>
    public CloneStatus GetCloneStatus(string fsName, string clone, string? group = null)
    {
        var s = Mgr(new CephCommand("fs clone status").Add("vol_name", fsName).Add("clone_name", clone)
            .Add("group_name", group), AdminJsonContext.Default.CloneStatusJson).Status;
        int? failureErrno = s.Failure is { } f ? (int?)AdminJsonContext.Bytes(f.Errno) : null;
        return new CloneStatus(ParseCloneState(s.State), s.Source?.Volume, s.Source?.Subvolume, s.Source?.Snapshot,
            s.Source?.Group, failureErrno, s.Failure?.ErrorMessage);
    }

    public void Dispose()
    {
        if (_ownsCluster)
            Cluster.Dispose();
    }

    private static CloneState ParseCloneState(string state) => state switch
    {
        "pending" => CloneState.Pending,
        "in-progress" => CloneState.InProgress,
        "complete" => CloneState.Complete,
        "failed" => CloneState.Failed,
        "canceled" or "cancelled" => CloneState.Canceled,
        _ => CloneState.Unknown,
    };

    private static FileSystemInfo ToInfo(FileSystemJson fs) =>
        new(fs.Id, fs.MdsMap.FsName, fs.MdsMap.MetadataPool, fs.MdsMap.DataPools);

    private RadosCommandResult Mgr(CephCommand command)
    {
        using (command)
            return Cluster.MgrCommand(command.Build(), command.Description);
    }

    private T Mgr<T>(CephCommand command, JsonTypeInfo<T> type)
    {
        using var owned = command;
        command.Json();
        string description = command.Description;
        var result = Cluster.MgrCommand(command.Build(), description);
        return Parse(result.Output, type, "rados_mgr_command", description);
    }

    private T Mon<T>(CephCommand command, JsonTypeInfo<T> type)
    {
        using var owned = command;
        string description = command.Description;
        var result = Cluster.MonCommand(command.Build(), description);
        return Parse(result.Output, type, "rados_mon_command", description);
    }

    private static T Parse<T>(string output, JsonTypeInfo<T> type, string call, string description)
    {
        try
        {
            return JsonSerializer.Deserialize(output, type)
                ?? throw new CephException(Errno.EIO, call, description, "empty JSON answer");
        }
        catch (JsonException e)
        {
            throw new CephException(Errno.EIO, call, description, $"unexpected JSON answer: {e.Message}");
        }
    }
}
