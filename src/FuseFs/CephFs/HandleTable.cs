using ManagedCephFuse.CephClient;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>Something the kernel refers to by a FUSE file handle; the handle value is assigned by the table.</summary>
internal abstract class OpenHandle
{
    /// <summary>The FUSE file handle (slot index + 1 in the low 32 bits, a generation in the high 32).</summary>
    public ulong Id { get; internal set; }
}

/// <summary>An open file: libcephfs's <c>Fh*</c> and the node it was opened through.</summary>
internal sealed class FileHandle(FhPtr fh, InodePtr inode, ulong nodeId, int flags) : OpenHandle
{
    public FhPtr Fh { get; } = fh;
    public InodePtr Inode { get; } = inode;
    public ulong NodeId { get; } = nodeId;
    public int Flags { get; } = flags;
}

/// <summary>
/// An open directory: libcephfs's <c>ceph_dir_result*</c>, where the listing stands, and the one entry read from
/// libcephfs that did not fit in the previous reply (held, with its reference for READDIRPLUS, until the next).
/// </summary>
internal sealed class DirectoryHandle(DirPtr dir, InodePtr inode, ulong nodeId) : OpenHandle
{
    public DirPtr Dir { get; } = dir;
    public InodePtr Inode { get; } = inode;
    public ulong NodeId { get; } = nodeId;
    public Lock Gate { get; } = new();

    /// <summary>The FUSE offset the next entry handed out starts at (the last entry's "next offset").</summary>
    public long Position { get; set; }

    /// <summary>An entry read but not yet replied, valid when <see cref="HasPending"/>; it belongs at
    /// <see cref="Position"/>.</summary>
    public bool HasPending { get; set; }
    /// <summary>The pending entry was read for READDIRPLUS (it carries attributes and a reference).</summary>
    public bool PendingPlus { get; set; }
    public Dirent PendingEntry;
    public CephStatx PendingAttr;
    /// <summary>The reference taken with the pending entry (READDIRPLUS), or null.</summary>
    public InodePtr PendingInode { get; set; }
}

/// <summary>
/// FUSE file handles → open files and directories. Lookups (every READ and WRITE) take no lock; a stale or
/// forged handle finds nothing. Handles are never reused while open; a slot is reused with a new generation.
/// </summary>
internal sealed class HandleTable<T> where T : OpenHandle
{
    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private T?[] _slots = new T?[64];
    private int _used;
    private uint _generation;

    /// <summary>Open handles.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _used - _free.Count;
        }
    }

    public ulong Add(T item)
    {
        lock (_lock)
        {
            int index;
            if (_free.Count > 0)
            {
                index = _free.Pop();
            }
            else
            {
                if (_used == _slots.Length)
                    Array.Resize(ref _slots, _slots.Length * 2);
                index = _used++;
            }
            item.Id = ((ulong)++_generation << 32) | (uint)(index + 1);
            Volatile.Write(ref _slots[index], item);
            return item.Id;
        }
    }

    public T? Get(ulong id)
    {
        int index = (int)(uint)id - 1;
        T?[] slots = Volatile.Read(ref _slots);
        if ((uint)index >= (uint)slots.Length)
            return null;
        T? item = Volatile.Read(ref slots[index]);
        return item is not null && item.Id == id ? item : null;
    }

    public T? Remove(ulong id)
    {
        lock (_lock)
        {
            int index = (int)(uint)id - 1;
            if ((uint)index >= (uint)_used)
                return null;
            T? item = _slots[index];
            if (item is null || item.Id != id)
                return null;
            _slots[index] = null;
            _free.Push(index);
            return item;
        }
    }

    /// <summary>Empties the table, returning what was open (at unmount).</summary>
    public List<T> RemoveAll()
    {
        lock (_lock)
        {
            var items = new List<T>();
            for (int i = 0; i < _used; i++)
            {
                if (_slots[i] is { } item)
                    items.Add(item);
                _slots[i] = null;
            }
            _free.Clear();
            _used = 0;
            return items;
        }
    }
}
