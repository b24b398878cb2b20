using System.Globalization;
using System.Text.RegularExpressions;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Processes;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>
/// Mounts with a ceph-fuse compatible daemon (managed-cephfuse by default): runs
/// <c>&lt;binary&gt; &lt;target&gt; -m &lt;mons&gt; -c &lt;conf&gt; -n client.&lt;id&gt; --keyfile=&lt;f&gt; -r &lt;path&gt;
/// -o nonempty[,&lt;options&gt;] [--client_mds_namespace=&lt;fs&gt;]</c>, reads its stderr to EOF and takes the
/// daemon's pid from the <c>ceph-fuse[PID]: starting fuse</c> line.
/// </summary>
internal sealed partial class FuseMounter(string binary) : IVolumeMounter
{
    // A mount right after a daemon died waits until the MDS declares the dead client's session stale
    // (the file system's session_timeout, 60 s by default) before it can have the caps the dead client held.
    // Stay below kubelet's 2-minute deadline for NodeStage.
    public static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(110);

    public string Name => "fuse";

    public string Binary { get; } = binary;

    public string MountOptions(VolumeOptions volume, bool readOnly) =>
        MountOptionList.WithReadOnly(volume.FuseMountOptions, readOnly);

    public static List<string> BuildArguments(MountRequest request)
    {
        var args = new List<string>
        {
            request.Target,
            "-m", request.Monitors,
            "-c", request.CephConf,
            "-n", "client." + request.ClientId,
            "--keyfile=" + request.KeyFile,
            "-r", request.RootPath,
            "-o", string.IsNullOrEmpty(request.Options) ? "nonempty" : "nonempty," + request.Options,
        };
        if (!string.IsNullOrEmpty(request.FsName))
            args.Add("--client_mds_namespace=" + request.FsName);
        return args;
    }

    public async Task<int?> MountAsync(MountRequest request, CancellationToken cancellation)
    {
        if (!File.Exists(Binary))
            throw CoreException.Precondition($"the fuse mounter {Binary} does not exist on this node (--fuse-mounter-binary)");
        CommandResult result;
        try
        {
            result = await ProcessRunner.RunAsync(Binary, BuildArguments(request), LaunchTimeout, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            await MountHelper.UnmountAsync(request.Target, CancellationToken.None).ConfigureAwait(false);
            throw CoreException.Internal($"fuse mount of {request.RootPath} at {request.Target}: {e.Message}");
        }
        if (!result.Succeeded)
            throw CoreException.Internal($"{Path.GetFileName(Binary)} failed to mount {request.RootPath} at {request.Target} " +
                $"(exit {result.ExitCode}): {result.Message}");
        var match = StartingFuse().Match(result.StandardError);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            throw CoreException.Internal($"{Path.GetFileName(Binary)} exited 0 but did not report \"ceph-fuse[PID]: starting fuse\": {result.Message}");
        return pid;
    }

    // the line ceph-csi parses (internal/cephfs/mounter/fuse.go)
    [GeneratedRegex(@"(?m)^ceph-fuse\[(.+)\]: starting fuse$")]
    private static partial Regex StartingFuse();
}
