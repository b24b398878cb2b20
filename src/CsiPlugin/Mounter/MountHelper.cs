using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Posix;
using ManagedCephFuse.CsiPlugin.Processes;

namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>The state of a staging or target path, as ceph-csi's fuse recovery sees it.</summary>
internal enum MountState
{
    NotMounted,
    Mounted,
    /// <summary>A mount whose daemon is gone: stat fails with ENOTCONN (or ESTALE, EIO, …).</summary>
    Corrupted,
}

/// <summary>Mount, bind-mount and unmount through the system's <c>mount</c>/<c>umount</c>, and path health.</summary>
internal static class MountHelper
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>errnos that mean "a mount is there but broken" (ceph-csi's IsCorruptedMountError).</summary>
    public static bool IsCorruptedErrno(int errno) =>
        errno is Errno.ENOTCONN or Errno.ESTALE or Errno.EIO or Errno.EACCES or 112 /* EHOSTDOWN */;

    public static MountState GetState(string path)
    {
        int errno = LibC.StatErrno(path);
        if (errno != 0 && IsCorruptedErrno(errno))
            return MountState.Corrupted;
        if (errno != 0)
            return MountState.NotMounted;
        return MountInfo.Find(path) is null ? MountState.NotMounted : MountState.Mounted;
    }

    public static Task<CommandResult> MountAsync(IReadOnlyList<string> arguments, CancellationToken cancellation) =>
        ProcessRunner.RunAsync("mount", arguments, CommandTimeout, cancellation);

    /// <summary><c>mount -o bind,_netdev[,flags] source target</c>, then a read-only remount when asked.</summary>
    public static async Task BindMountAsync(string source, string target, bool readOnly, IReadOnlyList<string> flags,
        CancellationToken cancellation)
    {
        var options = new List<string> { "bind", "_netdev" };
        options.AddRange(flags);
        var bind = await MountAsync(["-o", string.Join(',', options), source, target], cancellation).ConfigureAwait(false);
        if (!bind.Succeeded)
            throw CoreException.Internal($"bind mount of {source} on {target} failed: {bind.Message}");
        if (readOnly)
        {
            var remount = await MountAsync(["-o", "bind,remount,ro,_netdev", target], cancellation).ConfigureAwait(false);
            if (!remount.Succeeded)
            {
                await UnmountAsync(target, cancellation).ConfigureAwait(false);
                throw CoreException.Internal($"read-only remount of {target} failed: {remount.Message}");
            }
        }
    }

    /// <summary>Unmounts <paramref name="path"/>; "not mounted" or a missing path is success.</summary>
    public static async Task UnmountAsync(string path, CancellationToken cancellation)
    {
        var result = await ProcessRunner.RunAsync("umount", [path], CommandTimeout, cancellation).ConfigureAwait(false);
        if (result.Succeeded)
            return;
        string message = result.Message;
        if (message.Contains("not mounted", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("no mount point specified", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("No such file or directory", StringComparison.OrdinalIgnoreCase))
            return;
        throw CoreException.Internal($"umount {path} failed: {message}");
    }

    /// <summary>Creates a mount point directory (0750) with its parents.</summary>
    public static void CreateMountPoint(string path) =>
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
}
