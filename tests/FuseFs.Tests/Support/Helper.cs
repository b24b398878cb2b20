using System.Diagnostics;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>A helper process the test talks to over stdin/stdout; killed (by its PID) on Dispose if still running.</summary>
internal sealed class Helper : IDisposable
{
    private readonly Process _process;

    public Helper(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
    }

    public int Pid => _process.Id;

    /// <summary>The next line of its output, or null at EOF / timeout.</summary>
    public string? ReadLine(TimeSpan timeout)
    {
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        return line.Wait(timeout) ? line.Result : null;
    }

    /// <summary>Closes its stdin (the helpers then let go of their locks and exit).</summary>
    public bool Finish(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        return _process.WaitForExit(timeout);
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
