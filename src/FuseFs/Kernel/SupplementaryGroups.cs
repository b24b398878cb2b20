using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// Supplementary groups of a calling process, parsed from the "Groups:" line of <c>/proc/&lt;pid&gt;/status</c> and
/// cached for a short time per (pid, uid, gid): the file is cheap to read but not free, and a process asks many
/// times in a row. A cache hit allocates nothing.
/// </summary>
internal sealed class SupplementaryGroups
{
    public static readonly SupplementaryGroups Shared = new(TimeSpan.FromSeconds(1));

    private readonly ConcurrentDictionary<uint, Entry> _byPid = new();
    private readonly long _ttlTicks;

    public SupplementaryGroups(TimeSpan timeToLive) => _ttlTicks = (long)(timeToLive.TotalSeconds * Stopwatch.Frequency);

    public ReadOnlySpan<uint> Get(uint pid, uint uid, uint gid)
    {
        long now = Stopwatch.GetTimestamp();
        if (_byPid.TryGetValue(pid, out var entry) && entry.Uid == uid && entry.Gid == gid && now < entry.Expires)
            return entry.Groups;
        uint[] groups = Read(pid);
        if (_byPid.Count > 4096)
            _byPid.Clear(); // bounded: a cache, not a registry
        _byPid[pid] = new Entry(groups, uid, gid, now + _ttlTicks);
        return groups;
    }

    internal static uint[] Read(uint pid)
    {
        Span<byte> buffer = stackalloc byte[4096];
        int length;
        try
        {
            using SafeFileHandle handle = File.OpenHandle($"/proc/{pid}/status");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
        return Parse(buffer[..length]);
    }

    /// <summary>Parses the numbers after "Groups:" up to the end of that line.</summary>
    internal static uint[] Parse(ReadOnlySpan<byte> status)
    {
        ReadOnlySpan<byte> key = "\nGroups:"u8;
        int at = status.IndexOf(key);
        if (at < 0)
            return [];
        ReadOnlySpan<byte> line = status[(at + key.Length)..];
        int end = line.IndexOf((byte)'\n');
        if (end >= 0)
            line = line[..end];
        Span<uint> found = stackalloc uint[256];
        int count = 0;
        uint value = 0;
        bool inNumber = false;
        foreach (byte b in line)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                value = value * 10 + (uint)(b - '0');
                inNumber = true;
            }
            else if (inNumber)
            {
                if (count < found.Length)
                    found[count++] = value;
                value = 0;
                inNumber = false;
            }
        }
        if (inNumber && count < found.Length)
            found[count++] = value;
        return found[..count].ToArray();
    }

    private readonly record struct Entry(uint[] Groups, uint Uid, uint Gid, long Expires);
}
