using Xunit;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.CephClient.Tests.Admin;

/// <summary>
/// Writes data into CephFS through Debian's real ceph-fuse (the admin tests need bytes in a subvolume; the
/// libcephfs bindings are another part of the project). Mounts, writes, unmounts, and waits for the daemon.
/// </summary>
internal static partial class FuseMount
{
    public static void WriteFile(ClusterEnv env, string cephPath, string fileName, int bytes)
    {
        string mountPoint = Directory.CreateTempSubdirectory("admin-fuse-").FullName;
        int daemon = 0;
        bool mounted = false;
        try
        {
            var start = new ProcessStartInfo("/usr/bin/ceph-fuse")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                ArgumentList = { mountPoint, "-c", env.ConfPath, "-n", "client.admin", $"--keyfile={env.AdminKeyFile}", "-r", cephPath },
            };
            using (var launcher = Process.Start(start)!)
            {
                string stderr = launcher.StandardError.ReadToEnd();
                launcher.StandardOutput.ReadToEnd();
                Assert.True(launcher.WaitForExit(60_000), "ceph-fuse did not return");
                Assert.True(launcher.ExitCode == 0, $"ceph-fuse failed ({launcher.ExitCode}): {stderr}");
                daemon = int.Parse(StartingFuse().Match(stderr).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                mounted = true;
            }
            using (var file = new FileStream(Path.Combine(mountPoint, fileName), FileMode.Create, FileAccess.Write))
            {
                var chunk = new byte[1 << 20];
                Random.Shared.NextBytes(chunk);
                for (int written = 0; written < bytes; written += chunk.Length)
                    file.Write(chunk, 0, Math.Min(chunk.Length, bytes - written));
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            if (mounted)
            {
                using var umount = Process.Start("umount", mountPoint);
                umount.WaitForExit(30_000);
                if (umount.ExitCode != 0)
                    Process.Start("umount", ["-l", mountPoint])!.WaitForExit(30_000);
                WaitGone(daemon);
            }
            Directory.Delete(mountPoint);
        }
    }

    private static void WaitGone(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat) || File.ReadAllText(stat).Split(") ")[^1].StartsWith('Z'))
                return;
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"ceph-fuse daemon {pid} still running after unmount");
    }

    [GeneratedRegex(@"(?m)^ceph-fuse\[(\d+)\]: starting fuse$")]
    private static partial Regex StartingFuse();
}
