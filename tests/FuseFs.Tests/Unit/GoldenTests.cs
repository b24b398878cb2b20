using System.Globalization;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.Unit;

/// <summary>
/// Requests and replies byte for byte against golden buffers laid out in C with the structs of &lt;linux/fuse.h&gt;
/// (Native/golden.c): decoding reaches the file system with the right values, and the reply the session writes is
/// exactly the C layout.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GoldenTests
{
    private static readonly Lazy<Dictionary<string, (byte[] Request, byte[] Reply)>> Cases = new(Load);

    public static TheoryData<string> Names() =>
    [
        "init", "lookup", "lookup-enoent", "getattr", "read", "write", "readdir", "readdirplus", "readdirplus-full", "statfs",
        "getlk", "getxattr-size", "getxattr-value", "getxattr-erange", "create", "rename2-noreplace", "unknown-opcode", "lseek",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public void RequestDecodesAndReplyMatchesTheCLayout(string name)
    {
        var fs = new GoldenFileSystem();
        using var session = new UnitSession(fs, init: name != "init");
        (byte[] request, byte[] expected) = Cases.Value[name];
        byte[]? reply = session.Send(request);
        Assert.NotNull(reply);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(reply));
        Assert.Empty(fs.Problems);
        Assert.Empty(session.Log.Problems);
    }

    [Fact]
    public void WriteDeliversTheDataAndTheFields()
    {
        var fs = new GoldenFileSystem();
        using var session = new UnitSession(fs);
        session.Send(Cases.Value["write"].Request);
        Assert.Equal("abcde", fs.Written);
        Assert.Equal(3, fs.WrittenAt);
    }

    [Fact]
    public void NotificationsMatchTheCLayout()
    {
        using var session = new UnitSession(new GoldenFileSystem());
        FuseNotifier notifier = session.Session.Notifier;
        notifier.Start(45, FuseInitFlags.HasExpireOnly);
        Assert.Equal(0, notifier.InvalidateInode(42, 4096, 8192));
        Assert.Equal(Convert.ToHexString(Cases.Value["notify-inval-inode"].Reply), Convert.ToHexString(session.Channel.Last));
        Assert.Equal(0, notifier.InvalidateEntry(1, "hello"u8));
        Assert.Equal(Convert.ToHexString(Cases.Value["notify-inval-entry"].Reply), Convert.ToHexString(session.Channel.Last));
        Assert.Equal(0, notifier.Delete(1, 42, "hello"u8));
        Assert.Equal(Convert.ToHexString(Cases.Value["notify-delete"].Reply), Convert.ToHexString(session.Channel.Last));
        Assert.Equal(ENOSYS, notifier.Resend()); // the kernel did not offer HAS_RESEND here
    }

    private static Dictionary<string, (byte[], byte[])> Load()
    {
        string exe = NativeHelper.Compile("fuse-golden", NativeHelper.Source("golden.c"));
        var (exit, output, error) = NativeHelper.Run(exe, "");
        Assert.True(exit == 0, error);
        var cases = new Dictionary<string, (byte[], byte[])>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ');
            cases[parts[1]] = (Convert.FromHexString(parts[2]), Convert.FromHexString(parts[3]));
        }
        return cases;
    }

    /// <summary>Deterministic answers matching golden.c (a test double: these tests isolate decoding and encoding).</summary>
    private sealed class GoldenFileSystem : IFuseFileSystem
    {
        public List<string> Problems { get; } = [];
        public string Written { get; private set; } = "";
        public long WrittenAt { get; private set; }

        private void Expect(bool condition, string what)
        {
            if (!condition)
                Problems.Add(what);
        }

        private static void Attr(ref FuseAttr a, ulong ino, uint mode)
        {
            a.Ino = ino;
            a.Size = 12345;
            a.Blocks = 24;
            (a.Atime, a.AtimeNsec, a.Mtime, a.MtimeNsec, a.Ctime, a.CtimeNsec) = (1000, 500, 2000, 600, 3000, 700);
            a.Mode = mode;
            a.Nlink = 1;
            a.Uid = 1000;
            a.Gid = 100;
            a.Blksize = 4096;
        }

        private static void Entry(ref FuseEntryOut e, ulong ino, uint mode)
        {
            e.NodeId = ino;
            e.Generation = 7;
            e.SetEntryTimeout(TimeSpan.FromSeconds(1.5));
            e.SetAttrTimeout(TimeSpan.FromSeconds(2));
            Attr(ref e.Attr, ino, mode);
        }

        public int Lookup(FuseRequestContext context, LookupRequest request, ref FuseEntryOut entry)
        {
            Expect(request.Parent == 1 && context.Uid == 1000 && context.Gid == 100 && context.Pid == 4242, "lookup context");
            if (!request.Name.SequenceEqual("hello"u8))
                return ENOENT;
            Entry(ref entry, 42, 0x81A4);
            return 0;
        }

        public int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr)
        {
            Expect(request.NodeId == 42 && request.FileHandle == 9, "getattr request");
            Attr(ref attr.Attr, 42, 0x81A4);
            attr.SetAttrTimeout(TimeSpan.FromSeconds(2));
            return 0;
        }

        public int Read(FuseRequestContext context, ReadRequest request, Span<byte> destination, out int bytesRead)
        {
            Expect(request.FileHandle == 9 && request.Offset == 4096 && request.Size == 100 && destination.Length == 100 && request.Flags == 0x8002, "read request");
            for (int i = 0; i < destination.Length; i++)
                destination[i] = (byte)((request.Offset + i) * 7);
            bytesRead = destination.Length;
            return 0;
        }

        public int Write(FuseRequestContext context, WriteRequest request, out int bytesWritten)
        {
            Written = System.Text.Encoding.ASCII.GetString(request.Data);
            WrittenAt = request.Offset;
            bytesWritten = request.Data.Length;
            return 0;
        }

        private int List(ReadDirRequest request, ref DirectoryWriter writer)
        {
            Expect(request.FileHandle == 5, "readdir handle");
            (string Name, ulong Ino, uint Mode)[] entries = [(".", 1, 0x41ED), ("..", 1, 0x41ED), ("file-a", 42, 0x81A4), ("dir-b", 43, 0x41ED)];
            for (int i = (int)request.Offset; i < entries.Length; i++)
            {
                byte[] name = System.Text.Encoding.ASCII.GetBytes(entries[i].Name);
                bool added;
                if (writer.IsPlus)
                {
                    FuseEntryOut e = default;
                    Entry(ref e, entries[i].Ino, entries[i].Mode);
                    added = writer.TryAddPlus(name, i + 1, in e);
                }
                else
                {
                    added = writer.TryAdd(name, entries[i].Ino, entries[i].Mode, i + 1);
                }
                if (!added)
                    break;
            }
            return 0;
        }

        public int ReadDir(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) => List(request, ref writer);

        public int ReadDirPlus(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) => List(request, ref writer);

        public int StatFs(FuseRequestContext context, StatFsRequest request, ref FuseKstatfs statfs)
        {
            (statfs.Blocks, statfs.Bfree, statfs.Bavail, statfs.Files, statfs.Ffree) = (1000, 600, 500, 100, 90);
            (statfs.Bsize, statfs.Namelen, statfs.Frsize) = (4096, 255, 4096);
            return 0;
        }

        public int GetLk(FuseRequestContext context, GetLkRequest request, ref FuseFileLock conflict)
        {
            Expect(request.Owner == 0x1234 && request.Lock.End == 100 && request.Lock.Type == 1, "getlk request");
            conflict = new FuseFileLock { Start = 10, End = 19, Type = 1, Pid = 77 };
            return 0;
        }

        public int GetXattr(FuseRequestContext context, GetXattrRequest request, Span<byte> value, out int size)
        {
            Expect(request.Name.SequenceEqual("user.golden"u8), "getxattr name");
            size = 11;
            if (request.Size == 0)
                return 0;
            if (value.Length < 11)
                return ERANGE;
            "golden-data"u8.CopyTo(value);
            return 0;
        }

        public int Create(FuseRequestContext context, CreateRequest request, ref FuseEntryOut entry, ref FuseOpenOut open)
        {
            Expect(request.Name.SequenceEqual("new"u8) && request.Mode == 0x81A4 && context.Umask == 0x12 && request.Flags == 0x8042, "create request");
            Entry(ref entry, 44, 0x81A4);
            open.Fh = 11;
            open.OpenFlags = FuseOpenOutFlags.KeepCache;
            return 0;
        }

        public int Rename(FuseRequestContext context, RenameRequest request)
        {
            Expect(request.Name.SequenceEqual("a"u8) && request.NewName.SequenceEqual("b"u8) && request.NewParent == 43, "rename names");
            return request.Flags == RenameFlags.NoReplace ? EEXIST : EINVAL;
        }

        public int Lseek(FuseRequestContext context, LseekRequest request, out long offset)
        {
            Expect(request.Whence == 3 && request.Offset == 5, "lseek request");
            offset = 8192;
            return 0;
        }
    }
}
