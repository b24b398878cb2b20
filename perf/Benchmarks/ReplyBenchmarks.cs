using BenchmarkDotNet.Attributes;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.CephFs;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.Benchmarks;

/// <summary>
/// Reply encoding: a LOOKUP/GETATTR entry filled from libcephfs's <c>ceph_statx</c> (what the CephFS bridge does
/// for every entry it hands out), and READDIRPLUS packing — entries with their attributes written straight into
/// a 4 KiB reply page (the kernel's usual READDIRPLUS size), reported per entry.
/// </summary>
[MemoryDiagnoser]
public class ReplyBenchmarks
{
    private const int EntriesPerPage = 24; // 168-byte records in 4096 bytes
    private readonly byte[] _page = new byte[4096];
    private readonly byte[][] _names = Enumerable.Range(0, EntriesPerPage).Select(i => System.Text.Encoding.ASCII.GetBytes($"file-{i:000000}")).ToArray();
    private CephStatx _statx;
    private FuseEntryOut _entry;

    [GlobalSetup]
    public void Setup()
    {
        _statx = new CephStatx
        {
            Mask = StatxMask.BasicStats, Ino = 0x10000000123, Mode = 0x81A4, NLink = 1, Uid = 1000, Gid = 1000,
            Size = 1 << 20, Blocks = 2048, BlockSize = 4 << 20,
        };
        if (PackPage() != EntriesPerPage)
            throw new InvalidOperationException($"a 4 KiB page holds {PackPage()} entries, not {EntriesPerPage}");
    }

    /// <summary>What one timestamp of the metrics costs here (clock_gettime through the vDSO).</summary>
    [Benchmark]
#pragma warning disable CA1822 // BenchmarkDotNet runs instance methods
    public long Clock_GetTimestamp() => System.Diagnostics.Stopwatch.GetTimestamp();
#pragma warning restore CA1822

    [Benchmark]
    public ulong Encode_EntryFromStatx()
    {
        ref FuseEntryOut entry = ref _entry;
        entry.NodeId = 0x10000000123;
        entry.SetEntryTimeout(TimeSpan.FromSeconds(1));
        entry.SetAttrTimeout(TimeSpan.FromSeconds(1));
        CephFileSystem.FillAttr(ref entry.Attr, _statx, 0x10000000123);
        return entry.Attr.Size;
    }

    [Benchmark(OperationsPerInvoke = EntriesPerPage)]
    public int ReadDirPlus_PackEntry() => PackPage();

    private int PackPage()
    {
        var writer = new DirectoryWriter(_page, plus: true);
        var entry = default(FuseEntryOut);
        for (int i = 0; i < _names.Length; i++)
        {
            entry.NodeId = 0x10000000000 + (ulong)i;
            entry.SetEntryTimeout(TimeSpan.FromSeconds(1));
            entry.SetAttrTimeout(TimeSpan.FromSeconds(1));
            CephFileSystem.FillAttr(ref entry.Attr, _statx, entry.NodeId);
            if (!writer.TryAddPlus(_names[i], i + 3, in entry))
                break;
        }
        return writer.Count;
    }
}
