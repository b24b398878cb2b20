using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// FUSE INIT: the highest protocol minor both sides speak, the capabilities both want (the session's defaults,
/// then the file system's say in <see cref="IFuseFileSystem.Init"/>), and the limits (max_write within the kernel's
/// max_pages_limit, max_background, congestion_threshold).
/// </summary>
internal static class InitNegotiation
{
    private const int EPROTO = 71; // protocol error: INIT from a kernel too old

    /// <summary>What the session asks for; the file system may change it.</summary>
    private const FuseInitFlags Desired = FuseInitFlags.AsyncRead | FuseInitFlags.PosixLocks | FuseInitFlags.AtomicOTrunc |
        FuseInitFlags.ExportSupport | FuseInitFlags.BigWrites | FuseInitFlags.FlockLocks | FuseInitFlags.HasIoctlDir |
        FuseInitFlags.AutoInvalData | FuseInitFlags.DoReaddirplus | FuseInitFlags.ReaddirplusAuto |
        FuseInitFlags.AsyncDio | FuseInitFlags.ParallelDirops | FuseInitFlags.MaxPages |
        FuseInitFlags.HandleKillprivV2 | FuseInitFlags.CacheSymlinks | FuseInitFlags.AbortError | FuseInitFlags.InitExt;

    /// <summary>
    /// Answers the kernel's INIT in <paramref name="reply"/>: 0 with <paramref name="connection"/> set when the
    /// mount can go live; 0 without it when a newer kernel is told our major (it sends INIT again); or an errno.
    /// </summary>
    public static int Negotiate(ReadOnlySpan<byte> argument, FuseMountOptions options, IFuseFileSystem fileSystem,
        FuseNotifier notifier, uint maxRead, ref FuseInitOut reply, out FuseConnectionInfo? connection,
        out int replyLength, out string? refusal)
    {
        connection = null;
        refusal = null;
        var initIn = new FuseInitIn();
        argument[..Math.Min(argument.Length, Unsafe.SizeOf<FuseInitIn>())]
            .CopyTo(MemoryMarshal.AsBytes(new Span<FuseInitIn>(ref initIn)));
        reply.Major = FuseProtocol.KernelVersion;
        reply.Minor = FuseProtocol.KernelMinorVersion;
        if (initIn.Major > FuseProtocol.KernelVersion)
        {
            replyLength = FuseProtocol.CompatInitOutSize;
            return 0;
        }
        replyLength = 0;
        if (initIn.Major < FuseProtocol.KernelVersion || initIn.Minor < FuseProtocol.MinimumMinorVersion)
        {
            refusal = $"kernel protocol {initIn.Major}.{initIn.Minor} is older than 7.{FuseProtocol.MinimumMinorVersion}";
            return EPROTO;
        }
        ulong flags = initIn.Flags;
        if ((flags & (ulong)FuseInitFlags.InitExt) != 0 && argument.Length >= Unsafe.SizeOf<FuseInitIn>())
            flags |= (ulong)initIn.Flags2 << 32;
        var kernel = (FuseInitFlags)flags;
        var info = new FuseConnectionInfo(initIn.Major, initIn.Minor, kernel, initIn.MaxReadahead, notifier);
        int maxWrite = MaxWrite(options);
        info.Want = (Desired | (options.WritebackCache ? FuseInitFlags.WritebackCache : 0)) & kernel;
        info.MaxWrite = (uint)maxWrite;
        info.MaxPages = (ushort)(maxWrite / 4096);
        info.MaxRead = maxRead;
        info.MaxReadahead = initIn.MaxReadahead;
        info.MaxBackground = options.MaxBackground;
        info.CongestionThreshold = options.CongestionThreshold;
        fileSystem.Init(info);

        FuseInitFlags want = info.Want & kernel;
        if ((ulong)want >> 32 != 0 && (kernel & FuseInitFlags.InitExt) != 0)
            want |= FuseInitFlags.InitExt;
        uint negotiatedMaxWrite = Math.Clamp(info.MaxWrite, 4096u, (uint)maxWrite) & ~4095u;
        ushort maxPages = (want & FuseInitFlags.MaxPages) != 0
            ? (ushort)Math.Clamp((int)info.MaxPages, 1, maxWrite / 4096)
            : (ushort)32;
        if ((want & FuseInitFlags.MaxPages) == 0)
            negotiatedMaxWrite = Math.Min(negotiatedMaxWrite, 32u * 4096);
        info.MaxWrite = negotiatedMaxWrite;
        info.MaxPages = maxPages;
        info.MaxReadahead = Math.Min(info.MaxReadahead, initIn.MaxReadahead);
        info.Negotiated = want;

        reply.Minor = info.ProtocolMinor;
        reply.MaxReadahead = info.MaxReadahead;
        reply.Flags = (uint)want;
        reply.Flags2 = (uint)((ulong)want >> 32);
        reply.MaxBackground = info.MaxBackground;
        reply.CongestionThreshold = info.CongestionThreshold;
        reply.MaxWrite = info.MaxWrite;
        reply.TimeGran = Math.Max(1u, info.TimeGranularity);
        reply.MaxPages = info.MaxPages;
        connection = info;
        replyLength = Unsafe.SizeOf<FuseInitOut>();
        return 0;
    }

    /// <summary>max_write from the options, within the kernel's max_pages_limit.</summary>
    public static int MaxWrite(FuseMountOptions options)
    {
        int limitPages = 256;
        try
        {
            limitPages = int.Parse(File.ReadAllText("/proc/sys/fs/fuse/max_pages_limit").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            // older kernels: the fixed limit of 256 pages
        }
        int pages = Math.Clamp(options.MaxWrite / 4096, 1, Math.Max(1, Math.Min(limitPages, 65535)));
        return pages * 4096;
    }
}
