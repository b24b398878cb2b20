using System.Diagnostics;
using System.Text;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>What a finished command left: its exit code and everything it printed.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public CommandResult Ok(string what)
    {
        Assert.True(ExitCode == 0, $"{what} exited {ExitCode}:\n{Stdout}\n{Stderr}");
        return this;
    }
}

/// <summary>Runs a command to its end (killed, with its process tree, past the timeout).</summary>
internal static class Commands
{
    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
            start.WorkingDirectory = workingDirectory;
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach ((string name, string value) in environment)
                start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in time:\n{await stdout}\n{await stderr}");
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CommandResult> RunAsync(string file, params string[] arguments) => RunAsync(file, arguments, null);

    /// <summary>A bash script, run with <c>-euo pipefail</c>.</summary>
    public static Task<CommandResult> BashAsync(string script, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync("bash", ["-euo", "pipefail", "-c", script], timeout, environment);

    /// <summary>A word quoted for bash.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The PIDs in "ceph-fuse[PID]: starting fuse" lines (managed-cephfuse's start-up handshake).</summary>
    public static IEnumerable<int> DaemonPids(string output)
    {
        foreach (string line in output.Split('\n'))
        {
            int open = line.IndexOf("ceph-fuse[", StringComparison.Ordinal);
            int close = open < 0 ? -1 : line.IndexOf("]: starting fuse", open, StringComparison.Ordinal);
            if (close > open && int.TryParse(line.AsSpan(open + 10, close - open - 10), out int pid))
                yield return pid;
        }
    }

    /// <summary>Stops a daemon a failed test left behind (by its PID only).</summary>
    public static void KillIfRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // the kernel keeps 15 characters of the name
            if (process.ProcessName.StartsWith("managed-cephfu", StringComparison.Ordinal))
                process.Kill();
        }
        catch (ArgumentException)
        {
            // gone already
        }
        catch (InvalidOperationException)
        {
        }
    }
}

/// <summary>A temp directory removed with everything under it (after lazily unmounting what is still mounted).</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        foreach (string line in File.ReadAllLines("/proc/self/mounts").Reverse())
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 1 && fields[1].StartsWith(Path + "/", StringComparison.Ordinal))
                _ = Commands.RunAsync("umount", "-l", fields[1]).GetAwaiter().GetResult();
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

