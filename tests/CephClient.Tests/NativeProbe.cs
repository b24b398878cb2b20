using System.Diagnostics;
using System.Text;

using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>
/// Compiles a C program against the real system headers (libcephfs.h, glibc) with gcc at test time, runs it
/// and returns its stdout lines. The truth our structs and constants are compared with.
/// </summary>
internal static class NativeProbe
{
    public static string[] Run(string name, string source)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cephclient-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string c = Path.Combine(dir, name + ".c");
            string exe = Path.Combine(dir, name);
            File.WriteAllText(c, source);
            var (rc, _, err) = Exec("gcc", ["-std=gnu11", "-D_GNU_SOURCE", "-D_FILE_OFFSET_BITS=64", "-Wall", "-o", exe, c]);
            Assert.True(rc == 0, $"gcc failed ({rc}): {err}");
            var (runRc, output, runErr) = Exec(exe, []);
            Assert.True(runRc == 0, $"{name} failed ({runRc}): {runErr}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int ExitCode, string Out, string Err) Exec(string file, string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in 120 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
