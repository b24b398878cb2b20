using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>Small C programs compiled with gcc at test time (a second process holding a lock, layout probes).</summary>
internal static class NativeHelper
{
    private static readonly ConcurrentDictionary<string, string> Built = new();

    /// <summary>Compiles <paramref name="source"/> (once per content) and returns the executable's path.</summary>
    public static string Compile(string name, string source, string extraFlags = "")
    {
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source + extraFlags)))[..16];
        return Built.GetOrAdd(hash, _ =>
        {
            string dir = Path.Combine(Path.GetTempPath(), "mcf-native-" + hash);
            Directory.CreateDirectory(dir);
            string c = Path.Combine(dir, name + ".c"), exe = Path.Combine(dir, name);
            if (File.Exists(exe))
                return exe;
            File.WriteAllText(c, source);
            var result = Run("gcc", $"-O1 -Wall -o {exe} {c} {extraFlags}");
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"gcc failed for {name}: {result.Error}");
            return exe;
        });
    }

    /// <summary>The C source of a file next to the tests (tests/FuseFs.Tests/Native/NAME).</summary>
    public static string Source(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Native", file));

    public static (int ExitCode, string Output, string Error) Run(string program, string arguments, int timeoutMs = 60_000)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish in {timeoutMs} ms");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs <paramref name="program"/> as another user (setpriv), for permission tests.</summary>
    public static (int ExitCode, string Output, string Error) RunAs(uint uid, uint gid, string program, string arguments, int timeoutMs = 60_000) =>
        Run("setpriv", $"--reuid={uid} --regid={gid} --clear-groups {program} {arguments}", timeoutMs);
}
