using System.Diagnostics;
using System.Text;

namespace ManagedCephFuse.FuseFs.Tests.CephFs.Support;

/// <summary>A finished command: exit code, output, and how long it took.</summary>
internal sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s; stderr: {StandardError.Trim()}; stdout: {StandardOutput.Trim()}";
}

/// <summary>Runs programs the way a CSI driver does: arguments as a list, output read to EOF, a deadline.</summary>
internal static class Run
{
    public static CommandResult Command(string file, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
                start.Environment[key] = value;
        }
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        // Read both pipes to EOF, as Go's exec.Cmd.CombinedOutput/Output do: a daemon that kept our stderr
        // would make this hang until the deadline.
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!Task.WaitAll([output, error], timeout) || !process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: false);
            }
            catch (InvalidOperationException)
            {
            }
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s (pipes still open?)");
        }
        return new CommandResult(process.ExitCode, output.Result, error.Result, clock.Elapsed);
    }

    /// <summary>Runs and fails the test unless the command exits 0.</summary>
    public static string Checked(string file, params string[] arguments)
    {
        CommandResult result = Command(file, arguments, TimeSpan.FromSeconds(120));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: {result}");
        return result.StandardOutput;
    }

    /// <summary>A shell one-liner (bash -c), for pipelines the tests read like a person would type them.</summary>
    public static CommandResult Shell(string script, TimeSpan? timeout = null) =>
        Command("/bin/bash", ["-c", script], timeout ?? TimeSpan.FromSeconds(120));
}

/// <summary>Processes by PID (none of them our child: the launcher's daemon is re-parented).</summary>
internal static class Processes
{
    /// <summary>True while the process exists and is not a zombie (a zombie answers kill -0 too).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (IsAlive(pid))
        {
            if (clock.Elapsed > timeout)
                return false;
            Thread.Sleep(50);
        }
        return true;
    }

    /// <summary>The command line of <paramref name="pid"/> (NUL-separated in /proc, joined by spaces).</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
