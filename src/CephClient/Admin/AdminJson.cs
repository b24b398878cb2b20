using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedCephFuse.CephClient.Admin;

// The shapes of the JSON the mons and the mgr volumes module answer with (Pacific). Only what we read.

internal sealed class FsLsEntryJson
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("metadata_pool")] public string MetadataPool { get; set; } = "";
    [JsonPropertyName("metadata_pool_id")] public long MetadataPoolId { get; set; }
    [JsonPropertyName("data_pool_ids")] public List<long> DataPoolIds { get; set; } = [];
    [JsonPropertyName("data_pools")] public List<string> DataPools { get; set; } = [];
}

internal sealed class MdsMapJson
{
    [JsonPropertyName("fs_name")] public string FsName { get; set; } = "";
    [JsonPropertyName("metadata_pool")] public long MetadataPool { get; set; }
    [JsonPropertyName("data_pools")] public List<long> DataPools { get; set; } = [];
}

internal sealed class FileSystemJson
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("mdsmap")] public MdsMapJson MdsMap { get; set; } = new();
}

internal sealed class FsDumpJson
{
    [JsonPropertyName("epoch")] public long Epoch { get; set; }
    [JsonPropertyName("default_fscid")] public long DefaultFscid { get; set; }
    [JsonPropertyName("filesystems")] public List<FileSystemJson> FileSystems { get; set; } = [];
}

internal sealed class SubvolumeInfoJson
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("bytes_quota")] public JsonElement BytesQuota { get; set; }
    [JsonPropertyName("bytes_used")] public JsonElement BytesUsed { get; set; }
    [JsonPropertyName("data_pool")] public string DataPool { get; set; } = "";
    [JsonPropertyName("pool_namespace")] public string PoolNamespace { get; set; } = "";
    [JsonPropertyName("mode")] public int Mode { get; set; }
    [JsonPropertyName("uid")] public long Uid { get; set; }
    [JsonPropertyName("gid")] public long Gid { get; set; }
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("mon_addrs")] public List<string> MonAddrs { get; set; } = [];
    [JsonPropertyName("features")] public List<string> Features { get; set; } = [];
}

internal sealed class SnapshotInfoJson
{
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("data_pool")] public string DataPool { get; set; } = "";
    [JsonPropertyName("has_pending_clones")] public string HasPendingClones { get; set; } = "no";
    [JsonPropertyName("pending_clones")] public List<NameJson> PendingClones { get; set; } = [];
    [JsonPropertyName("size")] public JsonElement Size { get; set; }
}

internal sealed class NameJson
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

internal sealed class CloneSourceJson
{
    [JsonPropertyName("volume")] public string? Volume { get; set; }
    [JsonPropertyName("subvolume")] public string? Subvolume { get; set; }
    [JsonPropertyName("snapshot")] public string? Snapshot { get; set; }
    [JsonPropertyName("group")] public string? Group { get; set; }
}

internal sealed class CloneFailureJson
{
    [JsonPropertyName("errno")] public JsonElement Errno { get; set; }
    [JsonPropertyName("error_msg")] public string? ErrorMessage { get; set; }
}

internal sealed class CloneStatusInnerJson
{
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("source")] public CloneSourceJson? Source { get; set; }
    [JsonPropertyName("failure")] public CloneFailureJson? Failure { get; set; }
}

internal sealed class CloneStatusJson
{
    [JsonPropertyName("status")] public CloneStatusInnerJson Status { get; set; } = new();
}

[JsonSerializable(typeof(List<FsLsEntryJson>))]
[JsonSerializable(typeof(FileSystemJson))]
[JsonSerializable(typeof(FsDumpJson))]
[JsonSerializable(typeof(SubvolumeInfoJson))]
[JsonSerializable(typeof(SnapshotInfoJson))]
[JsonSerializable(typeof(List<NameJson>))]
[JsonSerializable(typeof(CloneStatusJson))]
[JsonSerializable(typeof(List<Dictionary<string, JsonElement>>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
    /// <summary>A byte count that the volumes module prints as a number, a numeric string or "infinite".</summary>
    public static long? Bytes(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetInt64(),
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) => n,
        _ => null,
    };
}
