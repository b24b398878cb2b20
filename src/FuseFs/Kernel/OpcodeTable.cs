using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// The one table every request goes through: per opcode its name, the size of its fixed argument, the handler that
/// decodes it and calls the file system, and how it is answered. Opcodes not in the table get ENOSYS.
/// </summary>
internal static class OpcodeTable
{
    /// <summary>Decodes <paramref name="argument"/> (the bytes after the header, extensions excluded), calls the file
    /// system and leaves the reply payload in the worker's reply buffer; returns the errno.</summary>
    public delegate int Handler(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength);

    /// <summary>Takes back what a successful reply handed over when the kernel refused it (requester gone).</summary>
    public delegate void UndoReply(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> reply);

    /// <summary>Runs once the reply was written (<paramref name="delivered"/>: a success the kernel took); INIT
    /// goes live here.</summary>
    public delegate void AfterReply(FuseWorker worker, in FuseInHeader header, bool delivered);

    /// <summary>Formats the key arguments for the debug trace.</summary>
    public delegate string Describer(ReadOnlySpan<byte> argument);

    public sealed class Entry(string name, int inputSize, Handler handler, Describer describe)
    {
        public string Name { get; } = name;
        public int InputSize { get; } = inputSize;
        public Handler Handler { get; } = handler;
        public Describer Describe { get; } = describe;
        /// <summary>The kernel expects no reply (FORGET, BATCH_FORGET, INTERRUPT, NOTIFY_REPLY).</summary>
        public bool NoReply { get; init; }
        /// <summary>Served ahead of everything, without cancellation (FORGET, BATCH_FORGET, INTERRUPT).</summary>
        public bool Control { get; init; }
        public UndoReply? Undo { get; init; }
        public AfterReply? Replied { get; init; }
    }

    private static readonly Entry?[] Entries = Build();

    public static Entry? Find(FuseOpcode opcode) => (uint)opcode < (uint)Entries.Length ? Entries[(int)opcode] : null;

    /// <summary>Every opcode the session serves (for tests and the closing note).</summary>
    public static IEnumerable<FuseOpcode> Served()
    {
        for (int i = 0; i < Entries.Length; i++)
        {
            if (Entries[i] is not null)
                yield return (FuseOpcode)i;
        }
    }

    private static Entry?[] Build()
    {
        var t = new Entry?[(int)FuseOpcode.CopyFileRange64 + 1];
        void Add(FuseOpcode op, Entry e) => t[(int)op] = e;
        unsafe
        {
            Add(FuseOpcode.Init, new("INIT", 16, FuseOperations.Init, FuseTrace.DescribeInit) { Replied = FuseOperations.InitReplied });
            Add(FuseOpcode.Destroy, new("DESTROY", 0, FuseOperations.Destroy, FuseTrace.None));
            Add(FuseOpcode.Lookup, new("LOOKUP", 0, FuseOperations.Lookup, FuseTrace.Name) { Undo = FuseOperations.UndoEntry });
            Add(FuseOpcode.Forget, new("FORGET", sizeof(FuseForgetIn), FuseOperations.Forget, FuseTrace.DescribeForget) { NoReply = true, Control = true });
            Add(FuseOpcode.BatchForget, new("BATCH_FORGET", sizeof(FuseBatchForgetIn), FuseOperations.BatchForget, FuseTrace.DescribeBatchForget) { NoReply = true, Control = true });
            Add(FuseOpcode.Interrupt, new("INTERRUPT", sizeof(FuseInterruptIn), FuseOperations.Interrupt, FuseTrace.DescribeInterrupt) { NoReply = true, Control = true });
            Add(FuseOpcode.NotifyReply, new("NOTIFY_REPLY", 0, FuseOperations.NotifyReply, FuseTrace.None) { NoReply = true, Control = true });
            Add(FuseOpcode.GetAttr, new("GETATTR", sizeof(FuseGetattrIn), FuseOperations.GetAttr, FuseTrace.DescribeGetAttr));
            Add(FuseOpcode.SetAttr, new("SETATTR", sizeof(FuseSetattrIn), FuseOperations.SetAttr, FuseTrace.DescribeSetAttr));
            Add(FuseOpcode.ReadLink, new("READLINK", 0, FuseOperations.ReadLink, FuseTrace.None));
            Add(FuseOpcode.Symlink, new("SYMLINK", 0, FuseOperations.Symlink, FuseTrace.TwoNames) { Undo = FuseOperations.UndoEntry });
            Add(FuseOpcode.MkNod, new("MKNOD", sizeof(FuseMknodIn), FuseOperations.MkNod, FuseTrace.DescribeMkNod) { Undo = FuseOperations.UndoEntry });
            Add(FuseOpcode.MkDir, new("MKDIR", sizeof(FuseMkdirIn), FuseOperations.MkDir, FuseTrace.DescribeMkDir) { Undo = FuseOperations.UndoEntry });
            Add(FuseOpcode.Unlink, new("UNLINK", 0, FuseOperations.Unlink, FuseTrace.Name));
            Add(FuseOpcode.RmDir, new("RMDIR", 0, FuseOperations.RmDir, FuseTrace.Name));
            Add(FuseOpcode.Rename, new("RENAME", sizeof(FuseRenameIn), FuseOperations.Rename, FuseTrace.DescribeRename));
            Add(FuseOpcode.Rename2, new("RENAME2", sizeof(FuseRename2In), FuseOperations.Rename2, FuseTrace.DescribeRename2));
            Add(FuseOpcode.Link, new("LINK", sizeof(FuseLinkIn), FuseOperations.Link, FuseTrace.DescribeLink) { Undo = FuseOperations.UndoEntry });
            Add(FuseOpcode.Open, new("OPEN", sizeof(FuseOpenIn), FuseOperations.Open, FuseTrace.DescribeOpen) { Undo = FuseOperations.UndoOpen });
            Add(FuseOpcode.Read, new("READ", sizeof(FuseReadIn), FuseOperations.Read, FuseTrace.DescribeRead));
            Add(FuseOpcode.Write, new("WRITE", sizeof(FuseWriteIn), FuseOperations.Write, FuseTrace.DescribeWrite));
            Add(FuseOpcode.StatFs, new("STATFS", 0, FuseOperations.StatFs, FuseTrace.None));
            Add(FuseOpcode.Release, new("RELEASE", sizeof(FuseReleaseIn), FuseOperations.Release, FuseTrace.DescribeRelease));
            Add(FuseOpcode.Fsync, new("FSYNC", sizeof(FuseFsyncIn), FuseOperations.Fsync, FuseTrace.DescribeFsync));
            Add(FuseOpcode.SetXattr, new("SETXATTR", FuseProtocol.CompatSetxattrInSize, FuseOperations.SetXattr, FuseTrace.DescribeSetXattr));
            Add(FuseOpcode.GetXattr, new("GETXATTR", sizeof(FuseGetxattrIn), FuseOperations.GetXattr, FuseTrace.DescribeGetXattr));
            Add(FuseOpcode.ListXattr, new("LISTXATTR", sizeof(FuseGetxattrIn), FuseOperations.ListXattr, FuseTrace.DescribeListXattr));
            Add(FuseOpcode.RemoveXattr, new("REMOVEXATTR", 0, FuseOperations.RemoveXattr, FuseTrace.Name));
            Add(FuseOpcode.Flush, new("FLUSH", sizeof(FuseFlushIn), FuseOperations.Flush, FuseTrace.DescribeFlush));
            Add(FuseOpcode.OpenDir, new("OPENDIR", sizeof(FuseOpenIn), FuseOperations.OpenDir, FuseTrace.DescribeOpen) { Undo = FuseOperations.UndoOpenDir });
            Add(FuseOpcode.ReadDir, new("READDIR", sizeof(FuseReadIn), FuseOperations.ReadDir, FuseTrace.DescribeRead));
            Add(FuseOpcode.ReadDirPlus, new("READDIRPLUS", sizeof(FuseReadIn), FuseOperations.ReadDirPlus, FuseTrace.DescribeRead) { Undo = FuseOperations.UndoReadDirPlus });
            Add(FuseOpcode.ReleaseDir, new("RELEASEDIR", sizeof(FuseReleaseIn), FuseOperations.ReleaseDir, FuseTrace.DescribeRelease));
            Add(FuseOpcode.FsyncDir, new("FSYNCDIR", sizeof(FuseFsyncIn), FuseOperations.FsyncDir, FuseTrace.DescribeFsync));
            Add(FuseOpcode.GetLk, new("GETLK", sizeof(FuseLkIn), FuseOperations.GetLk, FuseTrace.DescribeLock));
            Add(FuseOpcode.SetLk, new("SETLK", sizeof(FuseLkIn), FuseOperations.SetLk, FuseTrace.DescribeLock));
            Add(FuseOpcode.SetLkW, new("SETLKW", sizeof(FuseLkIn), FuseOperations.SetLkW, FuseTrace.DescribeLock));
            Add(FuseOpcode.Access, new("ACCESS", sizeof(FuseAccessIn), FuseOperations.Access, FuseTrace.DescribeAccess));
            Add(FuseOpcode.Create, new("CREATE", sizeof(FuseCreateIn), FuseOperations.Create, FuseTrace.DescribeCreate) { Undo = FuseOperations.UndoCreate });
            Add(FuseOpcode.Ioctl, new("IOCTL", sizeof(FuseIoctlIn), FuseOperations.Ioctl, FuseTrace.DescribeIoctl));
            Add(FuseOpcode.Fallocate, new("FALLOCATE", sizeof(FuseFallocateIn), FuseOperations.Fallocate, FuseTrace.DescribeFallocate));
            Add(FuseOpcode.Lseek, new("LSEEK", sizeof(FuseLseekIn), FuseOperations.Lseek, FuseTrace.DescribeLseek));
            Add(FuseOpcode.CopyFileRange, new("COPY_FILE_RANGE", sizeof(FuseCopyFileRangeIn), FuseOperations.CopyFileRange, FuseTrace.DescribeCopyFileRange));
            Add(FuseOpcode.CopyFileRange64, new("COPY_FILE_RANGE_64", sizeof(FuseCopyFileRangeIn), FuseOperations.CopyFileRange64, FuseTrace.DescribeCopyFileRange));
            Add(FuseOpcode.Statx, new("STATX", sizeof(FuseStatxIn), FuseOperations.Statx, FuseTrace.DescribeStatx));
        }
        return t;
    }
}
