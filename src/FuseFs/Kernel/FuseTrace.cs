using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// The key arguments of each request for the debug trace (-d). Called only when tracing is on; defensive about
/// short arguments because it may describe a malformed request.
/// </summary>
internal static class FuseTrace
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string None(ReadOnlySpan<byte> argument) => "";

    public static string Name(ReadOnlySpan<byte> argument) => $"'{Text(argument)}'";

    public static string TwoNames(ReadOnlySpan<byte> argument)
    {
        int nul = argument.IndexOf((byte)0);
        return nul < 0 ? Name(argument) : $"'{Text(argument[..nul])}' -> '{Text(argument[(nul + 1)..])}'";
    }

    public static string DescribeInit(ReadOnlySpan<byte> a) =>
        Has<FuseInitIn>(a, 16) ? string.Create(Inv, $"kernel {U32(a, 0)}.{U32(a, 4)} max_readahead {U32(a, 8)} flags 0x{U32(a, 12):x}") : "";

    public static string DescribeForget(ReadOnlySpan<byte> a) => Has<FuseForgetIn>(a) ? $"nlookup {U64(a, 0)}" : "";

    public static string DescribeBatchForget(ReadOnlySpan<byte> a) => Has<FuseBatchForgetIn>(a) ? $"count {U32(a, 0)}" : "";

    public static string DescribeInterrupt(ReadOnlySpan<byte> a) => Has<FuseInterruptIn>(a) ? $"unique {U64(a, 0)}" : "";

    public static string DescribeGetAttr(ReadOnlySpan<byte> a) => Has<FuseGetattrIn>(a) ? $"flags {U32(a, 0)} fh {U64(a, 8)}" : "";

    public static string DescribeSetAttr(ReadOnlySpan<byte> a)
    {
        if (!Has<FuseSetattrIn>(a))
            return "";
        var s = MemoryMarshal.Read<FuseSetattrIn>(a);
        return string.Create(Inv, $"valid [{s.Valid}] mode 0{Convert.ToString(s.Mode, 8)} uid {s.Uid} gid {s.Gid} size {s.Size} atime {s.Atime}.{s.AtimeNsec} mtime {s.Mtime}.{s.MtimeNsec}");
    }

    public static string DescribeMkNod(ReadOnlySpan<byte> a) =>
        Has<FuseMknodIn>(a) ? $"mode 0{Convert.ToString(U32(a, 0), 8)} rdev {U32(a, 4)} umask 0{Convert.ToString(U32(a, 8), 8)} {Name(a[16..])}" : "";

    public static string DescribeMkDir(ReadOnlySpan<byte> a) =>
        Has<FuseMkdirIn>(a) ? $"mode 0{Convert.ToString(U32(a, 0), 8)} umask 0{Convert.ToString(U32(a, 4), 8)} {Name(a[8..])}" : "";

    public static string DescribeRename(ReadOnlySpan<byte> a) => Has<FuseRenameIn>(a) ? $"to dir {U64(a, 0)} {TwoNames(a[8..])}" : "";

    public static string DescribeRename2(ReadOnlySpan<byte> a) =>
        Has<FuseRename2In>(a) ? $"to dir {U64(a, 0)} flags {U32(a, 8)} {TwoNames(a[16..])}" : "";

    public static string DescribeLink(ReadOnlySpan<byte> a) => Has<FuseLinkIn>(a) ? $"node {U64(a, 0)} as {Name(a[8..])}" : "";

    public static string DescribeOpen(ReadOnlySpan<byte> a) => Has<FuseOpenIn>(a) ? $"flags 0{Convert.ToString(U32(a, 0), 8)}" : "";

    public static string DescribeCreate(ReadOnlySpan<byte> a) =>
        Has<FuseCreateIn>(a) ? $"flags 0{Convert.ToString(U32(a, 0), 8)} mode 0{Convert.ToString(U32(a, 4), 8)} {Name(a[16..])}" : "";

    public static string DescribeRead(ReadOnlySpan<byte> a) => Has<FuseReadIn>(a) ? $"fh {U64(a, 0)} offset {U64(a, 8)} size {U32(a, 16)}" : "";

    public static string DescribeWrite(ReadOnlySpan<byte> a) =>
        Has<FuseWriteIn>(a) ? $"fh {U64(a, 0)} offset {U64(a, 8)} size {U32(a, 16)} flags 0x{U32(a, 20):x}" : "";

    public static string DescribeRelease(ReadOnlySpan<byte> a) =>
        Has<FuseReleaseIn>(a) ? $"fh {U64(a, 0)} flags 0{Convert.ToString(U32(a, 8), 8)} release_flags {U32(a, 12)}" : "";

    public static string DescribeFlush(ReadOnlySpan<byte> a) => Has<FuseFlushIn>(a) ? $"fh {U64(a, 0)} owner 0x{U64(a, 16):x}" : "";

    public static string DescribeFsync(ReadOnlySpan<byte> a) => Has<FuseFsyncIn>(a) ? $"fh {U64(a, 0)} flags {U32(a, 8)}" : "";

    public static string DescribeSetXattr(ReadOnlySpan<byte> a) => a.Length >= 8 ? $"size {U32(a, 0)} flags {U32(a, 4)} {Name(a[8..])}" : "";

    public static string DescribeGetXattr(ReadOnlySpan<byte> a) => Has<FuseGetxattrIn>(a) ? $"size {U32(a, 0)} {Name(a[8..])}" : "";

    public static string DescribeListXattr(ReadOnlySpan<byte> a) => Has<FuseGetxattrIn>(a) ? $"size {U32(a, 0)}" : "";

    public static string DescribeLock(ReadOnlySpan<byte> a) =>
        Has<FuseLkIn>(a) ? $"fh {U64(a, 0)} owner 0x{U64(a, 8):x} [{U64(a, 16)}..{U64(a, 24)}] type {U32(a, 32)} pid {U32(a, 36)} lk_flags {U32(a, 40)}" : "";

    public static string DescribeAccess(ReadOnlySpan<byte> a) => Has<FuseAccessIn>(a) ? $"mask {U32(a, 0)}" : "";

    public static string DescribeIoctl(ReadOnlySpan<byte> a) =>
        Has<FuseIoctlIn>(a) ? $"fh {U64(a, 0)} flags {U32(a, 8)} cmd 0x{U32(a, 12):x} in {U32(a, 24)} out {U32(a, 28)}" : "";

    public static string DescribeFallocate(ReadOnlySpan<byte> a) =>
        Has<FuseFallocateIn>(a) ? $"fh {U64(a, 0)} offset {U64(a, 8)} length {U64(a, 16)} mode 0x{U32(a, 24):x}" : "";

    public static string DescribeLseek(ReadOnlySpan<byte> a) => Has<FuseLseekIn>(a) ? $"fh {U64(a, 0)} offset {U64(a, 8)} whence {U32(a, 16)}" : "";

    public static string DescribeCopyFileRange(ReadOnlySpan<byte> a) =>
        Has<FuseCopyFileRangeIn>(a) ? $"fh {U64(a, 0)}@{U64(a, 8)} -> node {U64(a, 16)} fh {U64(a, 24)}@{U64(a, 32)} length {U64(a, 40)}" : "";

    public static string DescribeStatx(ReadOnlySpan<byte> a) => Has<FuseStatxIn>(a) ? $"flags {U32(a, 0)} fh {U64(a, 8)} mask 0x{U32(a, 20):x}" : "";

    private static bool Has<T>(ReadOnlySpan<byte> a, int minimum = -1) where T : unmanaged =>
        a.Length >= (minimum >= 0 ? minimum : System.Runtime.CompilerServices.Unsafe.SizeOf<T>());

    private static uint U32(ReadOnlySpan<byte> a, int offset) => MemoryMarshal.Read<uint>(a[offset..]);

    private static ulong U64(ReadOnlySpan<byte> a, int offset) => MemoryMarshal.Read<ulong>(a[offset..]);

    private static string Text(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            bytes = bytes[..nul];
        if (bytes.Length > 80)
            bytes = bytes[..80];
        return Encoding.UTF8.GetString(bytes);
    }
}
