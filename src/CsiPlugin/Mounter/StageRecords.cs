using System.Collections.Concurrent;
using Csi.V1;

namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>How a volume was staged: enough to stage it again when its fuse daemon dies.</summary>
internal sealed record StageRecord(
    string VolumeId,
    string StagingPath,
    VolumeCapability Capability,
    IReadOnlyDictionary<string, string> VolumeContext,
    IReadOnlyDictionary<string, string> Secrets);

/// <summary>
/// The stage requests of the volumes staged by this process, kept in memory only (ceph-csi v3.6 keeps them
/// in /csi/mountinfo files, secrets included; we keep secrets off the disk). NodePublish uses them to
/// re-mount a staging path whose daemon died; after a plugin restart kubelet's next NodeStage does it.
/// </summary>
internal sealed class StageRecords
{
    private readonly ConcurrentDictionary<string, StageRecord> _records = new(StringComparer.Ordinal);

    public void Remember(StageRecord record) => _records[record.VolumeId] = record;

    public StageRecord? Find(string volumeId) => _records.TryGetValue(volumeId, out var record) ? record : null;

    public void Forget(string volumeId) => _records.TryRemove(volumeId, out _);
}
