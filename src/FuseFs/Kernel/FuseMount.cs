using System.Diagnostics;
using System.Globalization;
using System.Text;
using ManagedCephFuse.FuseFs.Kernel.Interop;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// Mounting and unmounting a FUSE file system: mount(2) on a fresh /dev/fuse descriptor as root, fusermount3 (which
/// hands back the descriptor over a socket, <c>_FUSE_COMMFD</c>) otherwise.
/// </summary>
internal static unsafe class FuseMount
{
    /// <summary>
    /// Mounts and returns the connection's /dev/fuse descriptor. mount(2) returns before INIT: every access to the
    /// mount point blocks until the session answers INIT.
    /// </summary>
    public static FuseDevice Mount(FuseMountOptions options)
    {
        string mountPoint = Path.GetFullPath(options.MountPoint);
        if (!Directory.Exists(mountPoint))
            throw new IOException($"mount point {mountPoint} does not exist or is not a directory");
        return LibC.GetUid() == 0 ? MountAsRoot(options, mountPoint) : MountWithFusermount(options, mountPoint);
    }

    /// <summary>The data string mount(2) hands to the fuse driver.</summary>
    internal static string KernelOptions(FuseMountOptions options, int fd, uint uid, uint gid)
    {
        var data = new StringBuilder();
        data.Append(CultureInfo.InvariantCulture, $"fd={fd},rootmode=40000,user_id={uid},group_id={gid}");
        if (options.AllowOther)
            data.Append(",allow_other");
        if (options.DefaultPermissions)
            data.Append(",default_permissions");
        foreach (string extra in options.ExtraKernelOptions)
            data.Append(',').Append(extra);
        return data.ToString();
    }

    /// <summary>MS_* flags for mount(2).</summary>
    internal static int MountFlags(FuseMountOptions options) =>
        options.MountFlags | (options.ReadOnly ? LibC.MS_RDONLY : 0);

    private static FuseDevice MountAsRoot(FuseMountOptions options, string mountPoint)
    {
        var device = FuseDevice.Open();
        try
        {
            string type = options.Subtype.Length > 0 ? "fuse." + options.Subtype : "fuse";
            string data = KernelOptions(options, device.Fd, LibC.GetUid(), LibC.GetGid());
            if (LibC.Mount(options.FsName, mountPoint, type, (nuint)MountFlags(options), data) != 0)
                throw new IOException($"mount {mountPoint}: {FuseDevice.ErrnoText(LibC.LastErrno)}");
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private static FuseDevice MountWithFusermount(FuseMountOptions options, string mountPoint)
    {
        int* pair = stackalloc int[2];
        // No SOCK_CLOEXEC: fusermount3 must inherit its end.
        if (LibC.SocketPair(LibC.AF_UNIX, LibC.SOCK_STREAM, 0, pair) != 0)
            throw new IOException($"socketpair: {FuseDevice.ErrnoText(LibC.LastErrno)}");
        int ours = pair[0], theirs = pair[1];
        LibC.Fcntl(ours, LibC.F_SETFD, LibC.FD_CLOEXEC);
        try
        {
            var opts = new List<string>();
            opts.Add("rootmode=40000");
            if (options.AllowOther)
                opts.Add("allow_other");
            if (options.DefaultPermissions)
                opts.Add("default_permissions");
            opts.Add("fsname=" + options.FsName);
            if (options.Subtype.Length > 0)
                opts.Add("subtype=" + options.Subtype);
            if (options.ReadOnly)
                opts.Add("ro");
            AddFlagOptions(options.MountFlags, opts);
            opts.AddRange(options.ExtraKernelOptions);
            var start = new ProcessStartInfo("fusermount3") { UseShellExecute = false, RedirectStandardError = true };
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(string.Join(',', opts));
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(mountPoint);
            start.Environment["_FUSE_COMMFD"] = theirs.ToString(CultureInfo.InvariantCulture);
            using var process = Process.Start(start) ?? throw new IOException("could not start fusermount3");
            LibC.Close(theirs);
            theirs = -1;
            int fd = ReceiveFd(ours);
            string errors = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            if (fd < 0)
                throw new IOException($"fusermount3 failed: {(errors.Length > 0 ? errors : $"exit {process.ExitCode}")}");
            LibC.Fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC);
            return new FuseDevice(fd);
        }
        finally
        {
            if (theirs >= 0)
                LibC.Close(theirs);
            LibC.Close(ours);
        }
    }

    private static void AddFlagOptions(int flags, List<string> opts)
    {
        if ((flags & LibC.MS_NOSUID) != 0) opts.Add("nosuid");
        if ((flags & LibC.MS_NODEV) != 0) opts.Add("nodev");
        if ((flags & LibC.MS_NOEXEC) != 0) opts.Add("noexec");
        if ((flags & LibC.MS_NOATIME) != 0) opts.Add("noatime");
        if ((flags & LibC.MS_SYNCHRONOUS) != 0) opts.Add("sync");
        if ((flags & LibC.MS_DIRSYNC) != 0) opts.Add("dirsync");
    }

    /// <summary>Receives one descriptor sent with SCM_RIGHTS; −1 when the peer closed without sending one.</summary>
    private static int ReceiveFd(int socket)
    {
        byte data;
        var iov = new LibC.IoVec { Base = &data, Len = 1 };
        LibC.CmsgFd control = default;
        var message = new LibC.MsgHdr
        {
            Iov = &iov,
            IovLen = 1,
            Control = &control,
            ControlLen = (nuint)sizeof(LibC.CmsgFd),
        };
        nint n;
        do
        {
            n = LibC.RecvMsg(socket, &message, 0);
        }
        while (n < 0 && LibC.LastErrno == LibC.EINTR);
        if (n <= 0 || control.Level != LibC.SOL_SOCKET || control.Type != LibC.SCM_RIGHTS)
            return -1;
        return control.Fd;
    }

    /// <summary>
    /// Unmounts: umount2 as root (MNT_DETACH when <paramref name="lazy"/>), else fusermount3 -u [-z].
    /// Returns 0 or an errno (EINVAL: not mounted; EBUSY: in use).
    /// </summary>
    public static int Unmount(string mountPoint, bool lazy)
    {
        if (LibC.GetUid() == 0)
            return LibC.Umount2(mountPoint, (lazy ? LibC.MNT_DETACH : 0) | LibC.UMOUNT_NOFOLLOW) == 0 ? 0 : LibC.LastErrno;
        var start = new ProcessStartInfo("fusermount3") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-u");
        if (lazy)
            start.ArgumentList.Add("-z");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(mountPoint);
        using var process = Process.Start(start);
        if (process is null)
            return ManagedCephFuse.CephClient.Errno.EIO;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? 0 : ManagedCephFuse.CephClient.Errno.EBUSY;
    }

    /// <summary>The "major:minor" of the mount at <paramref name="mountPoint"/> from /proc/self/mountinfo, or null.</summary>
    public static string? DeviceNumber(string mountPoint)
    {
        string target = Path.GetFullPath(mountPoint).TrimEnd('/');
        if (target.Length == 0)
            target = "/";
        string? found = null;
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options ... — the last match wins (stacked mounts)
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == target)
                found = fields[2];
        }
        return found;
    }

    /// <summary>Raises the mount's read-ahead window (bdi read_ahead_kb); INIT can only lower it.</summary>
    public static bool SetReadAhead(string mountPoint, int kilobytes)
    {
        string? device = DeviceNumber(mountPoint);
        if (device is null)
            return false;
        string path = $"/sys/class/bdi/{device}/read_ahead_kb";
        try
        {
            File.WriteAllText(path, kilobytes.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Undoes mountinfo's octal escapes (\040 for space…).</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var sb = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
