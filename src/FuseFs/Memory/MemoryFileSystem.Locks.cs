using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

// Locks: GETLK, SETLK, SETLKW (fcntl record locks and flock). Waits block only the worker thread serving the
// request, and end with EINTR when the kernel interrupts it.
internal sealed partial class MemoryFileSystem
{
    public int GetLk(FuseRequestContext context, GetLkRequest request, ref FuseFileLock conflict)
    {
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        FuseFileLock wanted = request.Lock;
        var found = file.Node.LocksIfAny?.FindConflict(request.Owner, (long)Math.Min(wanted.Start, long.MaxValue), End(wanted.End), wanted.Type);
        if (found is { } held)
        {
            conflict.Start = (ulong)held.Start;
            conflict.End = (ulong)held.End;
            conflict.Type = held.Type;
            conflict.Pid = held.Pid;
        }
        else
        {
            conflict = wanted;
            conflict.Type = OpenFlags.F_UNLCK;
        }
        return 0;
    }

    public int SetLk(FuseRequestContext context, SetLkRequest request)
    {
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        FuseFileLock wanted = request.Lock;
        if (request.IsFlock)
            return file.Node.Locks.SetFlock(request.Owner, wanted.Type, request.Wait, context.CancellationToken);
        int access = file.Flags & OpenFlags.O_ACCMODE;
        if ((wanted.Type == OpenFlags.F_RDLCK && access == OpenFlags.O_WRONLY) ||
            (wanted.Type == OpenFlags.F_WRLCK && access == OpenFlags.O_RDONLY))
            return EBADF;
        return file.Node.Locks.SetPosix(request.Owner, wanted.Pid, (long)Math.Min(wanted.Start, long.MaxValue), End(wanted.End),
            wanted.Type, request.Wait, context.CancellationToken);
    }

    private static long End(ulong end) => end > long.MaxValue ? long.MaxValue : (long)end;
}
