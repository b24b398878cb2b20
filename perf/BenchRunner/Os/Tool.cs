using System.Diagnostics;
using System.Text;

namespace ManagedCephFuse.BenchRunner.Os;

/// <summary>A finished command: exit code and what it printed.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Errors)
{
    /// <summary>The last lines of stderr (or stdout when stderr is empty), for error messages.</summary>
    public string Tail(int lines = 5)
    {
        string text = Errors.Trim().Length > 0 ? Errors : Output;
        return string.Join(" | ", text.Trim().Split('\n').TakeLast(lines).Select(l => l.Trim()));
    }
}

/// <summary>Runs a command to completion; cancelling or timing out kills it (and what it forked) by PID.</summary>
internal static class Tool
{
    public static ToolResult Run(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancel,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(timeout);
        try
        {
            process.WaitForExitAsync(timer.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            cancel.ThrowIfCancellationRequested();
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:F0} s");
        }
        process.WaitForExit(); // drains the output readers
        lock (output)
        lock (errors)
            return new ToolResult(process.ExitCode, output.ToString(), errors.ToString());
    }

    /// <summary>Runs a command and returns its stdout; a non-zero exit is an error naming the command.</summary>
    public static string Output(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancel)
    {
        var args = arguments.ToList();
        var result = Run(file, args, timeout, cancel);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {result.ExitCode}: {result.Tail()}");
        return result.Output;
    }

    /// <summary>stdout of a command, or null when it cannot run or fails (for descriptions only).</summary>
    public static string? TryOutput(string file, params string[] arguments)
    {
        try
        {
            var result = Run(file, arguments, TimeSpan.FromSeconds(20), CancellationToken.None);
            return result.ExitCode == 0 ? result.Output.Trim() : null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            return null;
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }
}
