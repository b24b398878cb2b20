using System.Collections.Concurrent;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>
/// Per-id try-locks (ceph-csi's VolumeLocks): a second operation on a volume id or request name that is
/// already being worked on is refused at once (the caller answers Aborted and the CO retries). <c>kind</c> names
/// what the ids are in the message (ceph-csi's "Volume" or "Snapshot").
/// </summary>
internal sealed class OperationLocks(string kind = "Volume")
{
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    /// <summary>The lock, or null when someone holds it.</summary>
    public Releaser? TryAcquire(string id) => _held.TryAdd(id, 0) ? new Releaser(this, id) : null;

    /// <summary>The lock, or an Aborted RpcException with ceph-csi's message.</summary>
    public Releaser Acquire(string id) => TryAcquire(id) ?? throw CsiErrors.OperationPending(id, kind);

    public sealed class Releaser(OperationLocks owner, string id) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner._held.TryRemove(id, out _);
        }
    }
}
