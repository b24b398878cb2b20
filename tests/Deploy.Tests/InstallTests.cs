using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>make install / uninstall with DESTDIR and PREFIX, as a package build would run them.</summary>
public sealed class InstallTests
{
    [Fact]
    public async Task InstallPutsEachFileUnderDestdirAndPrefixAndUninstallRemovesThem()
    {
        using var temp = new TempDirectory("deploy-destdir-");
        string destdir = temp.Combine("stage");
        string[] make = ["-C", Repository.Root, "--no-print-directory", $"DESTDIR={destdir}", "PREFIX=/usr/local"];
        (await Commands.RunAsync("make", [.. make, "install"], TimeSpan.FromMinutes(2))).Ok("make install");

        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["usr/local/bin/managed-cephfuse"] = "755",
            ["usr/local/bin/cephcsi"] = "755",
            ["usr/local/sbin/mount.fuse.managed-cephfuse"] = "755",
            ["usr/local/lib/systemd/system/managed-cephfuse@.service"] = "644",
            ["usr/local/lib/systemd/system/managed-cephfuse.target"] = "644",
        };
        var installed = Directory.GetFiles(destdir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(destdir, f)).Order().ToList();
        Assert.Equal(expected.Keys.Append("sbin/mount.fuse.managed-cephfuse").Order(), installed);
        foreach ((string file, string mode) in expected)
        {
            var unixMode = File.GetUnixFileMode(Path.Combine(destdir, file));
            Assert.Equal(mode, Convert.ToString((int)unixMode, 8));
        }
        // mount(8) looks for helpers in /sbin only: a link there to the helper under the prefix
        var link = new FileInfo(Path.Combine(destdir, "sbin", "mount.fuse.managed-cephfuse"));
        Assert.Equal("/usr/local/sbin/mount.fuse.managed-cephfuse", link.LinkTarget);
        // the installed files name the installed paths, without DESTDIR
        Assert.Contains("daemon=/usr/local/bin/managed-cephfuse\n",
            await File.ReadAllTextAsync(Path.Combine(destdir, "usr/local/sbin/mount.fuse.managed-cephfuse")), StringComparison.Ordinal);
        string unit = await File.ReadAllTextAsync(Path.Combine(destdir, "usr/local/lib/systemd/system/managed-cephfuse@.service"));
        Assert.Contains("ExecStart=/usr/local/bin/managed-cephfuse -f ", unit, StringComparison.Ordinal);
        Assert.DoesNotContain(destdir, unit, StringComparison.Ordinal);
        Assert.DoesNotContain("@BINDIR@", unit, StringComparison.Ordinal);
        // the binaries are the built ones
        string built = (await Commands.RunAsync(Repository.Binary("managed-cephfuse"), "--version")).Ok("--version").Stdout;
        Assert.Equal(built, (await Commands.RunAsync(Path.Combine(destdir, "usr/local/bin/managed-cephfuse"), "--version")).Ok("--version").Stdout);

        (await Commands.RunAsync("make", [.. make, "uninstall"], TimeSpan.FromMinutes(1))).Ok("make uninstall");
        Assert.Empty(Directory.GetFiles(destdir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task InstallRefusesWithoutTheBuiltBinaries()
    {
        using var temp = new TempDirectory("deploy-nobuild-");
        // a checkout with no bin/: make install says what to do instead of installing half
        foreach (string file in new[] { "Makefile" })
            File.Copy(Path.Combine(Repository.Root, file), temp.Combine(file));
        var run = await Commands.RunAsync("make", ["-C", temp.Path, "--no-print-directory", "install", $"PREFIX={temp.Combine("p")}"]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("bin/managed-cephfuse is missing: run make build first", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("p")));
    }
}
