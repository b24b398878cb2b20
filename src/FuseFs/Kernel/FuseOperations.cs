using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// The handlers of <see cref="OpcodeTable"/>: each decodes its request in place (fixed struct, then NUL-terminated
/// names, then data), calls the file system with the typed request, and leaves the reply in the worker's buffer.
/// Split by concern: this file has the helpers and the session/control operations.
/// </summary>
internal static partial class FuseOperations
{
    private const int PathMax = 4096;

    private static ref readonly T In<T>(ReadOnlySpan<byte> argument) where T : unmanaged =>
        ref MemoryMarshal.AsRef<T>(argument);

    /// <summary>
    /// Takes a NUL-terminated name from the front of <paramref name="argument"/>: 0, ENAMETOOLONG (the kernel passes
    /// names up to 1024 bytes; NAME_MAX is 255), or EINVAL (no NUL, empty, or a '/').
    /// </summary>
    private static int TakeName(ref ReadOnlySpan<byte> argument, out ReadOnlySpan<byte> name)
    {
        name = default;
        int nul = argument.IndexOf((byte)0);
        if (nul <= 0)
            return EINVAL;
        if (nul > 255)
            return ENAMETOOLONG;
        if (argument[..nul].Contains((byte)'/'))
            return EINVAL;
        name = argument[..nul];
        argument = argument[(nul + 1)..];
        return 0;
    }

    /// <summary>Takes a NUL-terminated string of any length up to PATH_MAX (a symlink target).</summary>
    private static bool TakeString(ref ReadOnlySpan<byte> argument, out ReadOnlySpan<byte> value)
    {
        int nul = argument.IndexOf((byte)0);
        if (nul is <= 0 or >= PathMax)
        {
            value = default;
            return false;
        }
        value = argument[..nul];
        argument = argument[(nul + 1)..];
        return true;
    }

    private static int Sized<T>(out int replyLength) where T : unmanaged
    {
        replyLength = Unsafe.SizeOf<T>();
        return 0;
    }

    public static int Init(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength) =>
        worker.Session.HandleInit(worker, argument, out replyLength);

    public static void InitReplied(FuseWorker worker, in FuseInHeader header, bool delivered) =>
        worker.Session.OnInitReplied(delivered);

    public static int Destroy(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0; // DESTROY (fuseblk): answer; read() then reports ENODEV and the session ends
        return 0;
    }

    public static int Forget(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        var one = new FuseForgetOne { NodeId = header.NodeId, Nlookup = In<FuseForgetIn>(argument).Nlookup };
        worker.FileSystem.Forget(new ReadOnlySpan<FuseForgetOne>(in one));
        return 0;
    }

    public static int BatchForget(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        uint count = In<FuseBatchForgetIn>(argument).Count;
        ReadOnlySpan<FuseForgetOne> nodes = MemoryMarshal.Cast<byte, FuseForgetOne>(argument[Unsafe.SizeOf<FuseBatchForgetIn>()..]);
        if (count > (uint)nodes.Length)
        {
            worker.Session.Log.MalformedRequest(header.Unique, (uint)header.Opcode, $"BATCH_FORGET of {count} carries {nodes.Length}");
            count = (uint)nodes.Length;
        }
        if (count > 0)
            worker.FileSystem.Forget(nodes[..(int)count]);
        return 0;
    }

    public static int Interrupt(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        worker.Session.Interrupt(In<FuseInterruptIn>(argument).Unique);
        return 0;
    }

    public static int NotifyReply(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0; // we never send NOTIFY_RETRIEVE; nothing to match
        return 0;
    }

    /// <summary>A LOOKUP/MKNOD/MKDIR/SYMLINK/LINK reply the kernel refused: return its lookup reference.</summary>
    public static void UndoEntry(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> reply)
    {
        if (reply.Length < Unsafe.SizeOf<FuseEntryOut>())
            return;
        ulong nodeId = In<FuseEntryOut>(reply).NodeId;
        if (nodeId != 0)
        {
            var one = new FuseForgetOne { NodeId = nodeId, Nlookup = 1 };
            worker.FileSystem.Forget(new ReadOnlySpan<FuseForgetOne>(in one));
        }
    }

    /// <summary>An OPEN reply the kernel refused: release the handle nobody will use.</summary>
    public static void UndoOpen(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> reply)
    {
        ref readonly FuseOpenOut open = ref In<FuseOpenOut>(reply);
        worker.FileSystem.Release(worker.Context, new ReleaseRequest(header.NodeId, open.Fh, 0, FuseReleaseFlags.None, 0));
    }

    /// <summary>An OPENDIR reply the kernel refused: release the directory handle.</summary>
    public static void UndoOpenDir(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> reply)
    {
        ref readonly FuseOpenOut open = ref In<FuseOpenOut>(reply);
        worker.FileSystem.ReleaseDir(worker.Context, new ReleaseDirRequest(header.NodeId, open.Fh, 0));
    }

    /// <summary>A CREATE reply the kernel refused: return the lookup reference and release the handle.</summary>
    public static void UndoCreate(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> reply)
    {
        if (reply.Length < Unsafe.SizeOf<FuseEntryOut>() + Unsafe.SizeOf<FuseOpenOut>())
            return;
        ref readonly FuseEntryOut entry = ref In<FuseEntryOut>(reply);
        ref readonly FuseOpenOut open = ref In<FuseOpenOut>(reply[Unsafe.SizeOf<FuseEntryOut>()..]);
        worker.FileSystem.Release(worker.Context, new ReleaseRequest(entry.NodeId, open.Fh, 0, FuseReleaseFlags.None, 0));
        UndoEntry(worker, header, reply);
    }

    /// <summary>A READDIRPLUS reply the kernel refused: return the lookup reference of every entry in it.</summary>
    public static void UndoReadDirPlus(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> reply)
    {
        int entrySize = Unsafe.SizeOf<FuseEntryOut>(), direntSize = Unsafe.SizeOf<FuseDirent>();
        while (reply.Length >= entrySize + direntSize)
        {
            ref readonly FuseEntryOut entry = ref In<FuseEntryOut>(reply);
            ref readonly FuseDirent dirent = ref In<FuseDirent>(reply[entrySize..]);
            int nameLength = (int)Math.Min(dirent.Namelen, 255u);
            int size = FuseProtocol.DirentAlign(entrySize + direntSize + nameLength);
            if (size > reply.Length)
                break;
            ReadOnlySpan<byte> name = reply.Slice(entrySize + direntSize, nameLength);
            if (entry.NodeId != 0 && !DirectoryWriter.IsDotOrDotDot(name))
            {
                var one = new FuseForgetOne { NodeId = entry.NodeId, Nlookup = 1 };
                worker.FileSystem.Forget(new ReadOnlySpan<FuseForgetOne>(in one));
            }
            reply = reply[size..];
        }
    }
}
