namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>A number a file system reports about itself (nodes held, open files), read when someone asks.</summary>
internal readonly record struct Gauge(string Name, string Description, long Value);

/// <summary>A file system that reports gauges of its own on the admin socket and the metrics endpoint.</summary>
internal interface IReportsGauges
{
    /// <summary>The current values (called off the hot path, when a client asks).</summary>
    IEnumerable<Gauge> Gauges();
}

/// <summary>
/// Everything the daemon's observability surfaces read: the request metrics, the backend's gauges, the settings
/// the daemon runs with, and where libcephfs's own admin socket is (commands we do not answer go there).
/// </summary>
internal sealed class DaemonDiagnostics
{
    public required FuseMetrics Metrics { get; init; }

    /// <summary>"cephfs" or "memory".</summary>
    public required string Backend { get; init; }

    public required string MountPoint { get; init; }

    public IReportsGauges? FileSystem { get; init; }

    /// <summary>libcephfs's admin socket (its perf counters, config, caches), or null.</summary>
    public string? ClientAdminSocket { get; init; }

    /// <summary>The daemon's own settings, as <c>config get/show</c> report them (names like Ceph's options).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; }

    /// <summary>libcephfs's version, or null (memory backend).</summary>
    public string? CephVersion { get; init; }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public int Pid { get; } = Environment.ProcessId;

    /// <summary>The backend's gauges, or none.</summary>
    public IEnumerable<Gauge> Gauges() => FileSystem?.Gauges() ?? [];
}
