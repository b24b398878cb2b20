using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// What the kernel offered at INIT and what the session is about to ask for. <see cref="IFuseFileSystem.Init"/> sees
/// it before the INIT reply is written and may lower the limits or change <see cref="Want"/>; whatever the kernel
/// does not offer is dropped. After INIT, <see cref="Negotiated"/> holds the final set.
/// </summary>
internal sealed class FuseConnectionInfo
{
    internal FuseConnectionInfo(uint kernelMajor, uint kernelMinor, FuseInitFlags kernelFlags, uint kernelMaxReadahead, FuseNotifier notifier)
    {
        KernelMajor = kernelMajor;
        KernelMinor = kernelMinor;
        KernelFlags = kernelFlags;
        KernelMaxReadahead = kernelMaxReadahead;
        ProtocolMinor = Math.Min(kernelMinor, FuseProtocol.KernelMinorVersion);
        Notifier = notifier;
    }

    /// <summary>The kernel's protocol major (7).</summary>
    public uint KernelMajor { get; }

    /// <summary>The kernel's protocol minor (45 on Linux 6.18).</summary>
    public uint KernelMinor { get; }

    /// <summary>The minor both sides use: min(kernel, ours).</summary>
    public uint ProtocolMinor { get; }

    /// <summary>Everything the kernel offered (flags | flags2 &lt;&lt; 32).</summary>
    public FuseInitFlags KernelFlags { get; }

    /// <summary>The kernel's read-ahead limit in bytes (bdi read_ahead_kb).</summary>
    public uint KernelMaxReadahead { get; }

    /// <summary>The capabilities to request; prefilled by the session from its options.</summary>
    public FuseInitFlags Want { get; set; }

    /// <summary>The set in force after INIT (Want ∩ KernelFlags); None before.</summary>
    public FuseInitFlags Negotiated { get; internal set; }

    /// <summary>Largest WRITE payload, bytes (≤ MaxPages × 4096).</summary>
    public uint MaxWrite { get; set; }

    /// <summary>Largest READ the session accepts, bytes (the reply buffer's payload size).</summary>
    public uint MaxRead { get; internal set; }

    /// <summary>Read-ahead the kernel may use, bytes (≤ <see cref="KernelMaxReadahead"/>).</summary>
    public uint MaxReadahead { get; set; }

    /// <summary>Requests per request, pages of 4 KiB (MAX_PAGES; 256 = 1 MiB).</summary>
    public ushort MaxPages { get; set; }

    /// <summary>Background requests (readahead, async direct I/O) the kernel keeps in flight.</summary>
    public ushort MaxBackground { get; set; }

    /// <summary>Background requests above which the kernel marks the bdi congested.</summary>
    public ushort CongestionThreshold { get; set; }

    /// <summary>Timestamp granularity in nanoseconds (1 = full nanoseconds).</summary>
    public uint TimeGranularity { get; set; } = 1;

    /// <summary>Where the file system sends invalidations; usable once INIT is answered.</summary>
    public FuseNotifier Notifier { get; }

    /// <summary>True when every flag in <paramref name="flags"/> is in force (after INIT).</summary>
    public bool Has(FuseInitFlags flags) => (Negotiated & flags) == flags;

    /// <summary>The negotiated flags, for the debug log.</summary>
    public override string ToString() =>
        $"7.{ProtocolMinor} (kernel 7.{KernelMinor}) flags [{Negotiated}] max_write {MaxWrite} max_pages {MaxPages} " +
        $"max_readahead {MaxReadahead} max_background {MaxBackground} congestion_threshold {CongestionThreshold} time_gran {TimeGranularity}";
}
