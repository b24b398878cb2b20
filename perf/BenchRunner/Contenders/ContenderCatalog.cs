namespace ManagedCephFuse.BenchRunner.Contenders;

/// <summary>The bench's own executables (built by make bench into BENCH_TOOLS_DIR).</summary>
internal sealed record BenchTools(string FsOps, string LibfuseRef, string Direct)
{
    public static BenchTools In(string directory, string directBinary) =>
        new(Path.Combine(directory, "fsops"), Path.Combine(directory, "libfuse-ref"), directBinary);
}

/// <summary>What a contender of the ceph suite needs to reach the cluster.</summary>
internal sealed record CephAccess(string ConfPath, string ClientId);

/// <summary>
/// Every contender by name. A new contender is one more case here (and, if it is not reached through a
/// mount point, one more <see cref="IContender"/>): the suites, the alternation, the measurements and the
/// report know nothing of particular contenders except the reference names they compute ratios against.
/// </summary>
internal static class ContenderCatalog
{
    public static readonly string[] CephSuite = ["ceph-fuse", "direct", "managed"];
    public static readonly string[] FuseSuite = ["libfuse-ref", "libfuse-ref-1t", "tmpfs", "managed-memory"];

    public static IContender Create(string name, BenchConfig config, BenchTools tools, CephAccess? ceph)
    {
        string mountPoint = Path.Combine(config.WorkDir, "mnt", name);
        string log = Path.Combine(config.WorkDir, "logs", $"{name}.log");
        CephAccess Ceph() => ceph ?? throw new InvalidOperationException($"{name} needs the cluster");
        // both Ceph FUSE daemons mount the file system's root and work in a directory of their own
        string[] CephArgs(IReadOnlyList<string> extra) =>
            ["-f", "-c", Ceph().ConfPath, "--id", Ceph().ClientId, .. extra, "{mountpoint}"];

        return name switch
        {
            "ceph-fuse" => new FuseDaemonContender(name, "ceph-fuse", CephArgs(config.CephFuseArgs),
                remountWhenCold: true, mountPoint, "bench-ceph-fuse", log, tools),
            // ceph-fuse's command line (DESIGN.md decision 5), so it runs exactly like ceph-fuse
            "managed" => new FuseDaemonContender(name, config.ManagedBinary, CephArgs(config.ManagedArgs),
                remountWhenCold: true, mountPoint, "bench-managed", log, tools),
            "direct" => new DirectContender(tools.Direct, Ceph().ConfPath, Ceph().ClientId, "/bench-direct", log),
            // the C reference: libfuse's default multi-threaded loop, and its single-threaded loop (-s);
            // timeout=0: entries and attributes are not cached by the kernel (every stat is a round trip)
            "libfuse-ref" => new FuseDaemonContender(name, tools.LibfuseRef,
                ["{mountpoint}", "-f", "-o", "timeout=0,fsname=libfuse-ref,subtype=libfuse-ref"],
                remountWhenCold: false, mountPoint, "bench", log, tools),
            "libfuse-ref-1t" => new FuseDaemonContender(name, tools.LibfuseRef,
                ["{mountpoint}", "-f", "-s", "-o", "timeout=0,fsname=libfuse-ref,subtype=libfuse-ref"],
                remountWhenCold: false, mountPoint, "bench", log, tools),
            "tmpfs" => new TmpfsContender(mountPoint, config.FuseFileSize + (1L << 30), tools),
            // as the C reference runs: timeouts 0 (every stat is a LOOKUP + GETATTR round trip) and no
            // default_permissions (with it the kernel also asks for the parent's attributes on every path walk: a
            // third round trip per stat that the reference does not pay; the memory backend then checks itself)
            "managed-memory" => new FuseDaemonContender(name, config.ManagedBinary,
                ["-f", "--backend", "memory", "-o", "entry_timeout=0,attr_timeout=0", "--fuse_default_permissions=false",
                    .. config.ManagedMemoryArgs, "{mountpoint}"],
                remountWhenCold: false, mountPoint, "bench", log, tools),
            _ => throw new ConfigException($"unknown contender \"{name}\"; the ceph suite knows {string.Join(", ", CephSuite)}, " +
                $"the FUSE suite {string.Join(", ", FuseSuite)}"),
        };
    }
}
