using System.Diagnostics;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>A finished command.</summary>
internal sealed record CommandResult(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s: {Error.Trim()} {Output.Trim()}";
}

/// <summary>Runs a program with an argument list, both pipes read to EOF, under a deadline.</summary>
internal static class Command
{
    public static CommandResult Run(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
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
        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
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
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s");
        }
        return new CommandResult(process.ExitCode, output.Result, error.Result, clock.Elapsed);
    }

    /// <summary>Runs and throws unless the command exits 0; its standard output.</summary>
    public static string Checked(string file, IEnumerable<string> arguments, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        string[] args = [.. arguments];
        CommandResult result = Run(file, args, timeout ?? TimeSpan.FromSeconds(120), environment);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)}: {result}");
    }
}
