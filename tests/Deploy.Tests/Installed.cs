using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>`make install PREFIX=&lt;temp&gt;` once for the tests that use what it installs (no link in /sbin).</summary>
public sealed class Installed : IDisposable
{
    private readonly TempDirectory _temp = new("deploy-install-");

    public Installed()
    {
        Prefix = _temp.Combine("prefix");
        Commands.RunAsync("make", ["-C", Repository.Root, "--no-print-directory", "install", $"PREFIX={Prefix}", "MOUNT_HELPER_DIR="],
            TimeSpan.FromMinutes(2)).GetAwaiter().GetResult().Ok("make install");
    }

    public string Prefix { get; }
    public string Helper => Path.Combine(Prefix, "sbin", "mount.fuse.managed-cephfuse");
    public string UnitDirectory => Path.Combine(Prefix, "lib", "systemd", "system");

    public void Dispose() => _temp.Dispose();
}
