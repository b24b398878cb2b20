using ManagedCephFuse.BenchRunner.Workloads;

namespace ManagedCephFuse.BenchRunner.Contenders;

/// <summary>
/// One side of the comparison: a FUSE daemon behind a mount point, a kernel file system, or the direct
/// libcephfs driver. The runner starts it, runs operations on it, makes it cold, and charges the CPU time
/// and peak RSS of <see cref="MeasuredPid"/> to it.
/// </summary>
internal interface IContender
{
    string Name { get; }

    /// <summary>How it runs (command line), for the results file.</summary>
    string Description { get; }

    /// <summary>The process whose cost is the contender's (the daemon; the driver itself); null when there
    /// is none (tmpfs). Changes when <see cref="MakeCold"/> restarts it.</summary>
    int? MeasuredPid { get; }

    /// <summary>Mount or launch; throws <see cref="ContenderException"/> with the reason (its log's tail)
    /// when it does not come up.</summary>
    void Start(CancellationToken cancel);

    /// <summary>Drop every cache between the next operation and the data (see <see cref="Cold"/>).</summary>
    void MakeCold(CancellationToken cancel);

    OpResult Run(Operation operation, CancellationToken cancel);

    /// <summary>Unmount and stop what <see cref="Start"/> started (by PID). Idempotent; never throws.</summary>
    void Stop();
}

/// <summary>A contender failed to start or an operation on it failed.</summary>
internal sealed class ContenderException(string message) : Exception(message);
