namespace ManagedCephFuse.FuseFs.Memory;

/// <summary>
/// The contents of a regular file: 4 KiB pages, allocated on first write, so files are sparse. A missing page is
/// a hole and reads as zeros; SEEK_DATA/SEEK_HOLE, st_blocks and punch-hole work at page granularity (like tmpfs).
/// Not thread-safe: the owning node's gate protects it.
/// </summary>
internal sealed class FileData
{
    public const int PageSize = 4096;
    private const int PageShift = 12;
    private readonly Dictionary<long, byte[]> _pages = [];

    /// <summary>Allocated pages (st_blocks = this × 8).</summary>
    public long AllocatedPages => _pages.Count;

    /// <summary>Copies [offset, offset + destination.Length) into <paramref name="destination"/> (holes as zeros).</summary>
    public void Read(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            long page = offset >> PageShift;
            int inPage = (int)(offset & (PageSize - 1));
            int count = Math.Min(PageSize - inPage, destination.Length);
            if (_pages.TryGetValue(page, out byte[]? data))
                data.AsSpan(inPage, count).CopyTo(destination);
            else
                destination[..count].Clear();
            destination = destination[count..];
            offset += count;
        }
    }

    /// <summary>Stores <paramref name="source"/> at <paramref name="offset"/>, allocating pages as needed.</summary>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            long page = offset >> PageShift;
            int inPage = (int)(offset & (PageSize - 1));
            int count = Math.Min(PageSize - inPage, source.Length);
            source[..count].CopyTo(Page(page).AsSpan(inPage, count));
            source = source[count..];
            offset += count;
        }
    }

    /// <summary>Makes sure every page of [offset, offset + length) exists (fallocate).</summary>
    public void Allocate(long offset, long length)
    {
        for (long page = offset >> PageShift, last = (offset + length - 1) >> PageShift; page <= last; page++)
            Page(page);
    }

    /// <summary>Zeros [offset, offset + length); whole pages in it become holes.</summary>
    public void PunchHole(long offset, long length)
    {
        long end = offset + length;
        while (offset < end)
        {
            long page = offset >> PageShift;
            int inPage = (int)(offset & (PageSize - 1));
            int count = (int)Math.Min(PageSize - inPage, end - offset);
            if (count == PageSize)
                _pages.Remove(page);
            else if (_pages.TryGetValue(page, out byte[]? data))
                data.AsSpan(inPage, count).Clear();
            offset += count;
        }
    }

    /// <summary>Zeros [offset, offset + length) keeping (or allocating) the pages (FALLOC_FL_ZERO_RANGE).</summary>
    public void Zero(long offset, long length)
    {
        PunchHole(offset, length);
        Allocate(offset, length);
    }

    /// <summary>Drops everything at or after <paramref name="size"/> (truncate; the tail of the last page is zeroed).</summary>
    public void Truncate(long size)
    {
        long firstWhole = (size + PageSize - 1) >> PageShift;
        if (_pages.Count > 0)
        {
            List<long>? drop = null;
            foreach (long page in _pages.Keys)
            {
                if (page >= firstWhole)
                    (drop ??= []).Add(page);
            }
            if (drop is not null)
            {
                foreach (long page in drop)
                    _pages.Remove(page);
            }
        }
        int inPage = (int)(size & (PageSize - 1));
        if (inPage != 0 && _pages.TryGetValue(size >> PageShift, out byte[]? last))
            last.AsSpan(inPage).Clear();
    }

    /// <summary>SEEK_DATA: the first offset ≥ <paramref name="offset"/> in allocated data before <paramref name="size"/>, or −1.</summary>
    public long NextData(long offset, long size)
    {
        if (offset >= size)
            return -1;
        long best = long.MaxValue;
        long startPage = offset >> PageShift;
        foreach (long page in _pages.Keys)
        {
            if (page >= startPage && page < best)
                best = page;
        }
        if (best == long.MaxValue)
            return -1;
        long at = Math.Max(offset, best << PageShift);
        return at < size ? at : -1;
    }

    /// <summary>SEEK_HOLE: the first offset ≥ <paramref name="offset"/> in a hole, or <paramref name="size"/> (the implicit hole at EOF).</summary>
    public long NextHole(long offset, long size)
    {
        if (offset >= size)
            return -1;
        long page = offset >> PageShift;
        while (_pages.ContainsKey(page) && (page << PageShift) < size)
            page++;
        return Math.Min(Math.Max(offset, page << PageShift), size);
    }

    private byte[] Page(long page)
    {
        if (!_pages.TryGetValue(page, out byte[]? data))
        {
            data = new byte[PageSize];
            _pages[page] = data;
        }
        return data;
    }
}
