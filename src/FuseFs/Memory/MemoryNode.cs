using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Memory;

/// <summary>A time with nanoseconds, as stat(2) has them.</summary>
internal readonly record struct Timespec(long Seconds, uint Nanoseconds)
{
    public static Timespec Now()
    {
        long ticks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        return new Timespec(ticks / TimeSpan.TicksPerSecond, (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }

    public int CompareTo(Timespec other) =>
        Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanoseconds.CompareTo(other.Nanoseconds);
}

/// <summary>
/// One inode. Its attributes, data and extended attributes are guarded by <see cref="Gate"/>; the directory
/// structure (names, parents, link counts of the tree) by the file system's tree lock, taken first.
/// </summary>
internal sealed class MemoryNode
{
    public MemoryNode(ulong ino, uint mode, uint uid, uint gid, Timespec now)
    {
        Ino = ino;
        Mode = mode;
        Uid = uid;
        Gid = gid;
        Atime = Mtime = Ctime = Btime = now;
        if (FileModes.IsRegular(mode))
            Data = new FileData();
        else if (FileModes.IsDirectory(mode))
            Entries = new DirectoryContents();
    }

    public ulong Ino { get; }

    public Lock Gate { get; } = new();

    public uint Mode;
    public uint Uid;
    public uint Gid;
    public uint Nlink;
    public uint Rdev;
    public long Size;
    public Timespec Atime, Mtime, Ctime, Btime;

    /// <summary>Regular files: the contents.</summary>
    public FileData? Data { get; }

    /// <summary>Directories: the entries.</summary>
    public DirectoryContents? Entries { get; }

    /// <summary>Directories: the parent (the root is its own parent).</summary>
    public MemoryNode? Parent;

    /// <summary>Symbolic links: the target.</summary>
    public byte[]? Target;

    /// <summary>Extended attributes (created on first use).</summary>
    public Dictionary<byte[], byte[]>? Xattrs;

    /// <summary>Lookup references the kernel holds (FORGET returns them); guarded by the tree lock.</summary>
    public ulong Lookups;

    /// <summary>Open handles; guarded by the tree lock.</summary>
    public int Opens;

    private LockTable? _locks;

    public LockTable Locks => LazyInitializer.EnsureInitialized(ref _locks);

    public LockTable? LocksIfAny => Volatile.Read(ref _locks);

    public bool IsDirectory => FileModes.IsDirectory(Mode);

    public bool IsRegular => FileModes.IsRegular(Mode);

    public bool IsSymlink => FileModes.IsSymlink(Mode);

    /// <summary>Fills <paramref name="attr"/> (call under <see cref="Gate"/>).</summary>
    public void Fill(ref FuseAttr attr)
    {
        attr.Ino = Ino;
        attr.Size = (ulong)Size;
        attr.Blocks = Data is not null ? (ulong)Data.AllocatedPages * 8 : IsDirectory ? 8UL : 0UL;
        attr.Atime = (ulong)Atime.Seconds;
        attr.AtimeNsec = Atime.Nanoseconds;
        attr.Mtime = (ulong)Mtime.Seconds;
        attr.MtimeNsec = Mtime.Nanoseconds;
        attr.Ctime = (ulong)Ctime.Seconds;
        attr.CtimeNsec = Ctime.Nanoseconds;
        attr.Mode = Mode;
        attr.Nlink = Nlink;
        attr.Uid = Uid;
        attr.Gid = Gid;
        attr.Rdev = Rdev;
        attr.Blksize = FileData.PageSize;
    }
}

/// <summary>
/// A directory's entries: by name (byte strings, allocation-free lookup) and in insertion order under stable
/// cookies, so a listing continues correctly while entries are added and removed ("." is 1, ".." is 2).
/// </summary>
internal sealed class DirectoryContents
{
    public const long FirstCookie = 3;
    private readonly Dictionary<byte[], DirEntry> _byName = new(NameComparer.Instance);
    private readonly Dictionary<byte[], DirEntry>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly SortedSet<DirEntry> _byCookie = new(CookieOrder.Instance);
    private long _nextCookie = FirstCookie;

    public DirectoryContents() => _bySpan = _byName.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _byName.Count;

    public DirEntry? Find(ReadOnlySpan<byte> name) => _bySpan.TryGetValue(name, out DirEntry? entry) ? entry : null;

    public DirEntry Add(ReadOnlySpan<byte> name, MemoryNode node)
    {
        var entry = new DirEntry(name.ToArray(), node, _nextCookie++);
        _byName.Add(entry.Name, entry);
        _byCookie.Add(entry);
        return entry;
    }

    public void Remove(DirEntry entry)
    {
        _byName.Remove(entry.Name);
        _byCookie.Remove(entry);
    }

    /// <summary>Entries with a cookie greater than <paramref name="after"/>, in cookie order.</summary>
    public IEnumerable<DirEntry> After(long after) =>
        _byCookie.Count == 0 || after >= _byCookie.Max!.Cookie
            ? []
            : _byCookie.GetViewBetween(new DirEntry([], null!, after + 1), new DirEntry([], null!, long.MaxValue));

    public IEnumerable<DirEntry> All => _byCookie;

    private sealed class CookieOrder : IComparer<DirEntry>
    {
        public static readonly CookieOrder Instance = new();

        public int Compare(DirEntry? x, DirEntry? y) => x!.Cookie.CompareTo(y!.Cookie);
    }
}

/// <summary>A name in a directory.</summary>
internal sealed class DirEntry(byte[] name, MemoryNode node, long cookie)
{
    public byte[] Name { get; } = name;
    public MemoryNode Node { get; set; } = node;
    public long Cookie { get; } = cookie;
}

/// <summary>Unix permission checks against a request's caller (used when the kernel does not check: no default_permissions).</summary>
internal static class Permissions
{
    /// <summary>True when the caller may access <paramref name="node"/> with R_OK/W_OK/X_OK <paramref name="mask"/>.</summary>
    public static bool Allowed(FuseRequestContext caller, MemoryNode node, int mask)
    {
        if (mask == 0)
            return true;
        uint mode = node.Mode;
        if (caller.IsRoot)
        {
            // root may do anything, except execute a file with no execute bit at all
            return (mask & OpenFlags.X_OK) == 0 || node.IsDirectory || (mode & 0x49) != 0;
        }
        uint bits;
        if (caller.Uid == node.Uid)
            bits = (mode >> 6) & 7;
        else if (caller.IsInGroup(node.Gid))
            bits = (mode >> 3) & 7;
        else
            bits = mode & 7;
        return ((uint)mask & ~bits) == 0;
    }

    /// <summary>The open(2) access mode as an R_OK/W_OK mask (O_TRUNC needs write).</summary>
    public static int MaskForOpen(int flags)
    {
        int mask = (flags & OpenFlags.O_ACCMODE) switch
        {
            OpenFlags.O_RDONLY => OpenFlags.R_OK,
            OpenFlags.O_WRONLY => OpenFlags.W_OK,
            _ => OpenFlags.R_OK | OpenFlags.W_OK,
        };
        if ((flags & OpenFlags.O_TRUNC) != 0)
            mask |= OpenFlags.W_OK;
        return mask;
    }
}

/// <summary>An open file or directory handle.</summary>
internal sealed class OpenFile(MemoryNode node, int flags)
{
    public MemoryNode Node { get; } = node;
    public int Flags { get; } = flags;

    /// <summary>Opened with O_APPEND: every write goes to the end of the file.</summary>
    public bool Append => (Flags & OpenFlags.O_APPEND) != 0;
}
