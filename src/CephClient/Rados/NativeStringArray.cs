using System.Runtime.InteropServices;
using System.Text;

namespace ManagedCephFuse.CephClient.Rados;

/// <summary>
/// A list of strings laid out for the C API in one native block: NUL-terminated UTF-8 bytes, an array of
/// pointers to them (<c>char const* const*</c>) and an array of their byte lengths (<c>const size_t*</c>).
/// </summary>
internal unsafe struct NativeStringArray : IDisposable
{
    private void* _block;

    public NativeStringArray(IReadOnlyList<string> items)
    {
        int count = items.Count;
        nuint textBytes = 0;
        for (int i = 0; i < count; i++)
            textBytes += (nuint)Encoding.UTF8.GetByteCount(items[i]) + 1;
        nuint tableBytes = (nuint)(count * (sizeof(byte*) + sizeof(nuint)));
        _block = NativeMemory.Alloc(tableBytes + textBytes + 1);
        Pointers = (byte**)_block;
        Lengths = (nuint*)(Pointers + count);
        byte* text = (byte*)(Lengths + count);
        for (int i = 0; i < count; i++)
        {
            int written = Encoding.UTF8.GetBytes(items[i], new Span<byte>(text, Encoding.UTF8.GetByteCount(items[i])));
            text[written] = 0;
            Pointers[i] = text;
            Lengths[i] = (nuint)written;
            text += written + 1;
        }
        Count = (nuint)count;
    }

    public byte** Pointers { get; private set; }
    public nuint* Lengths { get; private set; }
    public nuint Count { get; private set; }

    public void Dispose()
    {
        if (_block != null)
        {
            NativeMemory.Free(_block);
            _block = null;
            Pointers = null;
            Lengths = null;
            Count = 0;
        }
    }
}
