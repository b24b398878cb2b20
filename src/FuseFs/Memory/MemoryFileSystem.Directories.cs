using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

// Directory handles: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR. Offsets are entry cookies: "." is 1,
// ".." is 2, the rest in insertion order, so a listing survives concurrent creates and deletes.
internal sealed partial class MemoryFileSystem
{
    public int OpenDir(FuseRequestContext context, OpenDirRequest request, ref FuseOpenOut open)
    {
        lock (_tree)
        {
            MemoryNode? node = Node(request.NodeId);
            if (node is null)
                return ENOENT;
            if (!node.IsDirectory)
                return ENOTDIR;
            if (Check && !Permissions.Allowed(context, node, OpenFlags.R_OK))
                return EACCES;
            open.Fh = AddHandle(node, request.Flags);
            return 0;
        }
    }

    public int ReadDir(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) =>
        List(request, ref writer);

    public int ReadDirPlus(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) =>
        List(request, ref writer);

    private int List(ReadDirRequest request, ref DirectoryWriter writer)
    {
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        MemoryNode dir = file.Node;
        if (!dir.IsDirectory)
            return ENOTDIR;
        lock (_tree)
        {
            long offset = request.Offset;
            if (offset < 1 && !Add(ref writer, "."u8, dir, 1))
                return 0;
            if (offset < 2 && !Add(ref writer, ".."u8, dir.Parent ?? dir, 2))
                return 0;
            foreach (DirEntry entry in dir.Entries!.After(Math.Max(offset, 2)))
            {
                if (!Add(ref writer, entry.Name, entry.Node, entry.Cookie))
                    break;
            }
            lock (dir.Gate)
                TouchAtime(dir);
        }
        return 0;
    }

    /// <summary>Adds one entry (under the tree lock); READDIRPLUS entries count a lookup reference.</summary>
    private bool Add(ref DirectoryWriter writer, ReadOnlySpan<byte> name, MemoryNode node, long cookie)
    {
        if (!writer.IsPlus)
            return writer.TryAdd(name, node.Ino, node.Mode, cookie);
        FuseEntryOut entry = default;
        entry.NodeId = node.Ino;
        entry.SetEntryTimeout(_options.EntryTimeout);
        entry.SetAttrTimeout(_options.AttrTimeout);
        lock (node.Gate)
            node.Fill(ref entry.Attr);
        if (!writer.TryAddPlus(name, cookie, in entry))
            return false;
        if (!DirectoryWriter.IsDotOrDotDot(name))
            node.Lookups++;
        return true;
    }

    public int ReleaseDir(FuseRequestContext context, ReleaseDirRequest request)
    {
        if (!_handles.TryRemove(request.FileHandle, out OpenFile? file))
            return EBADF;
        lock (_tree)
        {
            file.Node.Opens--;
            Collect(file.Node);
        }
        return 0;
    }

    public int FsyncDir(FuseRequestContext context, FsyncDirRequest request) => Handle(request.FileHandle) is null ? EBADF : 0;
}
