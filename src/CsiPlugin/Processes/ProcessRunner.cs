using System.Diagnostics;

namespace ManagedCephFuse.CsiPlugin.Processes;

/// <summary>What a finished command printed and returned.</summary>
internal readonly record struct CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>stderr (or stdout) flattened to one line for an error message.</summary>
    public string Message
    {
        get
        {
            string text = StandardError.Trim().Length > 0 ? StandardError : StandardOutput;
            return text.Trim().ReplaceLineEndings("; ");
        }
    }
}

/// <summary>
/// Runs a command without a shell and reads stdout and stderr to EOF (ceph-fuse's launcher hands back
/// stderr only when the daemon has closed its copy). A command that outlives its timeout is killed.
/// </summary>
internal static class ProcessRunner
{
    public static async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout,
        CancellationToken cancellation = default)
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
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // it exited meanwhile
            }
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout.TotalSeconds:0} s");
        }
        return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
