using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// Packs directory entries straight into the reply buffer of a READDIR or READDIRPLUS request. Add entries in
/// order until an add returns false (the buffer is full): that entry was NOT added and belongs at the start of the
/// next call (whose offset will be the last added entry's <c>nextOffset</c>).
/// <para>
/// READDIRPLUS (<see cref="IsPlus"/>): every entry carries a <see cref="FuseEntryOut"/>, and each one added with a
/// non-zero NodeId gives the kernel one lookup reference, exactly like a LOOKUP reply — except "." and "..",
/// for which the writer clears the entry (the kernel neither uses nor counts them). Take the reference only when
/// <see cref="TryAddPlus"/> returned true.
/// </para>
/// </summary>
internal ref struct DirectoryWriter
{
    private static readonly int DirentSize = Unsafe.SizeOf<FuseDirent>();
    private static readonly int EntryOutSize = Unsafe.SizeOf<FuseEntryOut>();
    private readonly Span<byte> _buffer;
    private int _position;

    internal DirectoryWriter(Span<byte> buffer, bool plus)
    {
        _buffer = buffer;
        IsPlus = plus;
        _position = 0;
        Count = 0;
    }

    /// <summary>True for READDIRPLUS: use <see cref="TryAddPlus"/>; false for READDIR: use <see cref="TryAdd"/>.</summary>
    public readonly bool IsPlus { get; }

    /// <summary>Entries added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the reply used so far.</summary>
    public readonly int Length => _position;

    /// <summary>True when an entry with a name of <paramref name="nameLength"/> bytes still fits.</summary>
    public readonly bool HasRoomFor(int nameLength) =>
        _position + FuseProtocol.DirentAlign((IsPlus ? EntryOutSize : 0) + DirentSize + nameLength) <= _buffer.Length;

    /// <summary>
    /// READDIR: adds <paramref name="name"/> (inode number <paramref name="ino"/>, file type from
    /// <paramref name="mode"/>); <paramref name="nextOffset"/> is the cookie that continues after this entry.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> name, ulong ino, uint mode, long nextOffset)
    {
        if (IsPlus)
            throw new InvalidOperationException("READDIRPLUS entries need attributes: use TryAddPlus");
        Validate(name);
        int size = FuseProtocol.DirentAlign(DirentSize + name.Length);
        if (_position + size > _buffer.Length)
            return false;
        Span<byte> record = _buffer.Slice(_position, size);
        WriteDirent(record, name, ino, mode, nextOffset);
        _position += size;
        Count++;
        return true;
    }

    /// <summary>
    /// READDIRPLUS: adds <paramref name="name"/> with its entry (node ID, generation, timeouts, attributes);
    /// <paramref name="nextOffset"/> is the cookie that continues after this entry. See the class remarks on lookup
    /// references.
    /// </summary>
    public bool TryAddPlus(ReadOnlySpan<byte> name, long nextOffset, in FuseEntryOut entry)
    {
        if (!IsPlus)
            throw new InvalidOperationException("READDIR entries carry no attributes: use TryAdd");
        Validate(name);
        int size = FuseProtocol.DirentAlign(EntryOutSize + DirentSize + name.Length);
        if (_position + size > _buffer.Length)
            return false;
        Span<byte> record = _buffer.Slice(_position, size);
        bool dotOrDotDot = IsDotOrDotDot(name);
        if (dotOrDotDot)
        {
            // Only the type and inode number matter to the kernel for these.
            var bare = new FuseEntryOut { Attr = new FuseAttr { Ino = entry.Attr.Ino, Mode = entry.Attr.Mode } };
            MemoryMarshal.Write(record, in bare);
        }
        else
        {
            MemoryMarshal.Write(record, in entry);
        }
        WriteDirent(record[EntryOutSize..], name, entry.Attr.Ino, entry.Attr.Mode, nextOffset);
        _position += size;
        Count++;
        return true;
    }

    /// <summary>True for "." and "..".</summary>
    public static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        (name.Length == 1 && name[0] == (byte)'.') || (name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.');

    private static void WriteDirent(Span<byte> record, ReadOnlySpan<byte> name, ulong ino, uint mode, long nextOffset)
    {
        var dirent = new FuseDirent
        {
            Ino = ino,
            Off = (ulong)nextOffset,
            Namelen = (uint)name.Length,
            Type = FileModes.DirentType(mode),
        };
        MemoryMarshal.Write(record, in dirent);
        name.CopyTo(record[DirentSize..]);
        record[(DirentSize + name.Length)..].Clear(); // padding
    }

    private static void Validate(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > 255 || name.IndexOfAny((byte)0, (byte)'/') >= 0)
            throw new ArgumentException("a directory entry name is 1..255 bytes without NUL or '/'", nameof(name));
    }
}
