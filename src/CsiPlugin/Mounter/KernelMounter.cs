using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Processes;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>
/// Mounts with the kernel client: <c>mount -t ceph &lt;mons&gt;:&lt;path&gt; &lt;target&gt; -o
/// name=&lt;id&gt;,secretfile=&lt;f&gt;[,mds_namespace=&lt;fs&gt;][,&lt;options&gt;],_netdev</c>. Where the kernel has no ceph
/// file system (no <c>ceph</c> in /proc/filesystems, and <c>modprobe ceph</c> does not add it) the mount is
/// refused with FailedPrecondition instead of silently falling back to fuse.
/// </summary>
internal sealed class KernelMounter(bool forceKernelClient) : IVolumeMounter
{
    // quotas are enforced by the kernel client from 4.17 on (ceph-csi's rule; --forcecephkernelclient overrides)
    private static readonly Version QuotaSupport = new(4, 17);

    public string Name => "kernel";

    public string MountOptions(VolumeOptions volume, bool readOnly) =>
        MountOptionList.WithReadOnly(volume.KernelMountOptions, readOnly);

    public static List<string> BuildArguments(MountRequest request)
    {
        var options = new List<string> { "name=" + request.ClientId, "secretfile=" + request.KeyFile };
        if (!string.IsNullOrEmpty(request.FsName))
            options.Add("mds_namespace=" + request.FsName);
        if (!string.IsNullOrEmpty(request.Options))
            options.Add(request.Options);
        options.Add("_netdev");
        return ["-t", "ceph", $"{request.Monitors}:{request.RootPath}", request.Target, "-o", string.Join(',', options)];
    }

    /// <summary>Why the kernel mounter cannot be used here, or null when it can.</summary>
    public async Task<string?> UnavailableReasonAsync(CancellationToken cancellation)
    {
        if (!HasCephFileSystem())
        {
            if (File.Exists("/sbin/modprobe") || File.Exists("/usr/sbin/modprobe"))
                await ProcessRunner.RunAsync("modprobe", ["ceph"], TimeSpan.FromSeconds(30), cancellation).ConfigureAwait(false);
            if (!HasCephFileSystem())
                return "ceph filesystem not supported by this node's kernel (no 'ceph' in /proc/filesystems and the " +
                    "module cannot be loaded); use mounter \"fuse\"";
        }
        if (!forceKernelClient && KernelVersion() is { } version && version < QuotaSupport)
            return $"kernel {version} does not enforce CephFS quotas (needs {QuotaSupport}+; --forcecephkernelclient overrides)";
        return null;
    }

    public async Task<int?> MountAsync(MountRequest request, CancellationToken cancellation)
    {
        if (await UnavailableReasonAsync(cancellation).ConfigureAwait(false) is { } reason)
            throw CoreException.Precondition("the kernel mounter is not available: " + reason);
        var result = await MountHelper.MountAsync(BuildArguments(request), cancellation).ConfigureAwait(false);
        if (result.Succeeded)
            return null;
        if (result.Message.Contains("not supported", StringComparison.OrdinalIgnoreCase))
            throw CoreException.Precondition("the kernel mounter is not available: " + result.Message);
        throw CoreException.Internal($"mount -t ceph of {request.RootPath} at {request.Target} failed: {result.Message}");
    }

    private static bool HasCephFileSystem()
    {
        foreach (string line in File.ReadLines("/proc/filesystems"))
        {
            if (line.EndsWith("\tceph", StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static Version? KernelVersion()
    {
        string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        int end = 0;
        int dots = 0;
        while (end < release.Length && (char.IsAsciiDigit(release[end]) || (release[end] == '.' && ++dots < 3)))
            end++;
        return Version.TryParse(release[..end].TrimEnd('.'), out var version) ? version : null;
    }
}
