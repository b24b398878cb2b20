using System.Diagnostics;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// INTERRUPTs that arrived before their request was seen: another reader may be between read() and registering the
/// request it took. Each is kept briefly (an interrupt for a request already answered expires unused) and taken by
/// the request when it starts. Empty almost always, so the check on the request path is one volatile read.
/// </summary>
internal sealed class InterruptTable
{
    private const int Capacity = 256;
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<(ulong Unique, long Since)> _pending = [];
    private volatile int _count;

    /// <summary>Remembers an INTERRUPT for <paramref name="unique"/>, whose request no worker is handling yet.</summary>
    public void Remember(ulong unique)
    {
        lock (_lock)
        {
            long now = Stopwatch.GetTimestamp();
            for (int i = _pending.Count - 1; i >= 0; i--)
            {
                if (Stopwatch.GetElapsedTime(_pending[i].Since, now) > Lifetime)
                    _pending.RemoveAt(i);
            }
            if (_pending.Count >= Capacity)
                _pending.RemoveAt(0);
            _pending.Add((unique, now));
            _count = _pending.Count;
        }
    }

    /// <summary>True (and forgotten) when an INTERRUPT for <paramref name="unique"/> came before its request.</summary>
    public bool TakePending(ulong unique)
    {
        if (_count == 0)
            return false;
        // No lambda here: a closure over `unique` would be allocated on every call.
        lock (_lock)
        {
            for (int i = 0; i < _pending.Count; i++)
            {
                if (_pending[i].Unique == unique)
                {
                    _pending.RemoveAt(i);
                    _count = _pending.Count;
                    return true;
                }
            }
            return false;
        }
    }
}
