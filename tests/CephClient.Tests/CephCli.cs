using System.Diagnostics;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>The `ceph` command line against the test cluster, as an independent witness.</summary>
internal static class CephCli
{
    public static string Run(params string[] args)
    {
        var env = ClusterEnv.Current;
        var info = new ProcessStartInfo("ceph")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--conf", env.ConfPath, "--name", "client.admin", "--keyring", env.AdminKeyring })
            info.ArgumentList.Add(arg);
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start ceph");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ceph {string.Join(' ', args)} did not finish in 60 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ceph {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }
}
