using System.Globalization;
using Csi.V1;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>
/// The image `make image` built (localhost/managed-cephfuse/cephcsi): its tags, labels, size and libraries;
/// managed-cephfuse in a privileged container mounting the test cluster; cephcsi in a container answering
/// Probe on a socket in a bind-mounted directory. podman runs with scripts/image.sh's containers.conf.
/// </summary>
[Trait("Category", "Image")]
public sealed class ImageTests
{
    private const string Image = "localhost/managed-cephfuse/cephcsi";
    private static readonly Lazy<string> LazyConf = new(() =>
        Commands.RunAsync(Path.Combine(Repository.Root, "scripts", "image.sh"), "conf").GetAwaiter().GetResult().Ok("image.sh conf").Stdout.Trim());
    private static ClusterEnv Env => ClusterEnv.Current;

    private static Task<CommandResult> PodmanAsync(params string[] arguments) =>
        Commands.RunAsync("podman", arguments, TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["CONTAINERS_CONF"] = LazyConf.Value });

    private static async Task<string> VersionAsync() =>
        (await Commands.RunAsync(Repository.Binary("cephcsi"), "--version")).Ok("cephcsi --version").Stdout.Split(' ')[2];

    [Fact]
    public async Task TheImageIsTaggedLabelledSmallAndAnswersVersionAsTheBinaries()
    {
        string version = await VersionAsync();
        string id = (await PodmanAsync("image", "inspect", "--format", "{{.Id}}", $"{Image}:{version}")).Ok("inspect").Stdout.Trim();
        Assert.Equal(id, (await PodmanAsync("image", "inspect", "--format", "{{.Id}}", $"{Image}:latest")).Ok("inspect latest").Stdout.Trim());
        string Label(string name) => PodmanAsync("image", "inspect", "--format", $"{{{{index .Labels \"{name}\"}}}}", $"{Image}:{version}")
            .GetAwaiter().GetResult().Ok("inspect label").Stdout.Trim();
        Assert.Equal(version, Label("org.opencontainers.image.version"));
        Assert.Matches("^[0-9a-f]{40}(-dirty)?$", Label("org.opencontainers.image.revision"));
        Assert.NotEmpty(Label("org.opencontainers.image.source"));
        Assert.Equal("localhost/managed-cephfuse/debian-base:bookworm-minbase", Label("org.opencontainers.image.base.name"));
        long size = long.Parse((await PodmanAsync("image", "inspect", "--format", "{{.Size}}", $"{Image}:{version}")).Ok("size").Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.True(size < 150_000_000, $"the image is {size / 1e6:F1} MB, over 150 MB");

        foreach (string binary in new[] { "cephcsi", "managed-cephfuse" })
        {
            string host = (await Commands.RunAsync(Repository.Binary(binary), "--version")).Ok(binary).Stdout;
            var inImage = binary == "cephcsi"
                ? await PodmanAsync("run", "--rm", $"{Image}:{version}", "--version")
                : await PodmanAsync("run", "--rm", "--entrypoint", "/usr/local/bin/managed-cephfuse", $"{Image}:{version}", "--version");
            Assert.Equal(host, inImage.Ok($"{binary} --version in the image").Stdout);
        }
    }

    [Fact]
    public async Task TheRunStageHasTheLibrariesTheBinariesLoadAndNoMore()
    {
        var run = (await PodmanAsync("run", "--rm", "--entrypoint", "/bin/sh", $"{Image}:latest", "-c",
            "ldd /usr/local/bin/cephcsi /usr/local/bin/managed-cephfuse /usr/lib/x86_64-linux-gnu/libcephfs.so.2 /usr/lib/x86_64-linux-gnu/librados.so.2; " +
            "dpkg-query -W -f='${Package}\\n' libcephfs2 librados2; dpkg-query -W -f='${Package}\\n' ceph-common python3 fuse3 2>&1 || true"))
            .Ok("ldd in the image");
        Assert.DoesNotContain("not found", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("libceph-common.so.2 => /usr/lib/x86_64-linux-gnu/ceph/libceph-common.so.2", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("libcephfs2\nlibrados2\n", run.Stdout, StringComparison.Ordinal);
        foreach (string absent in new[] { "ceph-common", "python3", "fuse3" })
            Assert.Contains($"no packages found matching {absent}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedCephfuseInAPrivilegedContainerMountsWritesReadsAndUnmounts()
    {
        string file = $"image-test-{Guid.NewGuid():N}";
        string text = "written from the container " + file;
        // the cluster's conf and key files at the same paths inside; the mon is on the host's 127.0.0.1
        var run = await PodmanAsync("run", "--rm", "--privileged", "--device", "/dev/fuse", "--network", "host",
            "-v", $"{Env.Directory}:{Env.Directory}:ro", "--entrypoint", "/bin/bash", $"{Image}:latest", "-euo", "pipefail", "-c",
            $"mkdir -p /mnt/cephfs && managed-cephfuse /mnt/cephfs -c {Env.ConfPath} -n client.{Env.UserId} --keyfile={Env.UserKeyFile} " +
            $"&& echo {Commands.Quote(text)} > /mnt/cephfs/{file} && cat /mnt/cephfs/{file} && umount /mnt/cephfs " +
            // the daemon must end by itself (releasing its Ceph session) before the container's end would kill it
            "&& alive() { grep -qsx managed-cephfus /proc/[0-9]*/comm; } && alive && for i in $(seq 100); do alive || break; sleep 0.1; done; " +
            "! alive && echo unmounted");
        run.Ok("the container");
        Assert.Contains(text + "\nunmounted\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ceph-fuse[", run.Stderr, StringComparison.Ordinal);

        // the bytes reached the cluster: the host reads them back through its own mount, then removes the file
        using var temp = new TempDirectory("image-readback-");
        var mount = (await Commands.RunAsync(Repository.Binary("managed-cephfuse"), [temp.Path, "-c", Env.ConfPath, "-n", "client." + Env.UserId,
            $"--keyfile={Env.UserKeyFile}"], TimeSpan.FromMinutes(1))).Ok("host mount");
        try
        {
            Assert.Equal(text + "\n", await File.ReadAllTextAsync(Path.Combine(temp.Path, file)));
            File.Delete(Path.Combine(temp.Path, file));
        }
        finally
        {
            (await Commands.RunAsync("umount", temp.Path)).Ok("umount");
            foreach (int pid in Commands.DaemonPids(mount.Output))
                Commands.KillIfRunning(pid);
        }
    }

    [Fact]
    public async Task CephcsiInAContainerAnswersProbeOnABindMountedSocket()
    {
        using var temp = new TempDirectory("image-csi-");
        string name = "mcf-test-csi-" + Path.GetFileName(temp.Path).ToLowerInvariant();
        string socket = temp.Combine("csi.sock");
        (await PodmanAsync("run", "-d", "--name", name, "--privileged", "--network", "host", "-v", $"{temp.Path}:/csi",
            $"{Image}:latest", "--type=cephfs", "--nodeserver=true", "--nodeid=image-test", "--endpoint=unix:///csi/csi.sock")).Ok("podman run -d");
        try
        {
            using var client = new CsiClient(socket);
            string Logs() => PodmanAsync("logs", name).GetAwaiter().GetResult().Output;
            bool Running() => PodmanAsync("inspect", "--format", "{{.State.Running}}", name).GetAwaiter().GetResult().Stdout.Trim() == "true";
            await client.WaitReadyAsync(socket, Running, Logs);
            var info = await client.Identity.GetPluginInfoAsync(new GetPluginInfoRequest());
            Assert.Equal("cephfs.csi.ceph.com", info.Name);
            Assert.Equal(await VersionAsync(), info.VendorVersion);
            (await PodmanAsync("stop", "--time", "10", name)).Ok("podman stop");
            Assert.Equal("0", (await PodmanAsync("inspect", "--format", "{{.State.ExitCode}}", name)).Stdout.Trim());
            Assert.False(File.Exists(socket), "cephcsi left its socket behind after SIGTERM");
        }
        finally
        {
            _ = await PodmanAsync("rm", "--force", "--time", "0", name);
        }
    }
}
