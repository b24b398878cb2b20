using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ManagedCephFuse.FuseFs.Hosting;

/// <summary>
/// The default (daemonizing) start, as ceph-fuse's: re-execute this program as the daemon (.NET cannot fork),
/// relay its stderr until it reports <c>ceph-fuse[PID]: starting fuse</c> — printed by the daemon once FUSE INIT is
/// answered — then exit 0 and leave it running. If the daemon exits first, exit with its status and its last
/// words. The daemon never holds the caller's stdio, so a caller reading our stderr to EOF returns when we exit.
/// </summary>
internal static partial class Launcher
{
    [GeneratedRegex(@"^ceph-fuse\[(\d+)\]: starting fuse$")]
    private static partial Regex StartedLine();

    /// <summary>How long the launcher waits for the daemon at most (client_mount_timeout is 300 s).</summary>
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(330);

    public static int Run(CommandLine commandLine)
    {
        var start = new ProcessStartInfo(ExecutablePath())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (IsHostedByDotnet())
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "managed-cephfuse.dll"));
        start.ArgumentList.Add(CommandLine.DaemonChildFlag);
        foreach (string arg in commandLine.Arguments)
            start.ArgumentList.Add(arg);

        using Process daemon = Process.Start(start) ?? throw new InvalidOperationException("could not start the daemon");
        daemon.StandardInput.Close();
        daemon.OutputDataReceived += static (_, _) => { }; // drain: the daemon has nothing to say there
        daemon.BeginOutputReadLine();

        var deadline = Stopwatch.StartNew();
        string? lastLine = null;
        while (true)
        {
            Task<string?> next = daemon.StandardError.ReadLineAsync();
            TimeSpan left = Timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !next.Wait(left))
            {
                Console.Error.WriteLine($"ceph-fuse[{daemon.Id}]: the daemon did not come up within {Timeout.TotalSeconds:0} s; stopping it");
                TryKill(daemon);
                return 1;
            }
            string? line = next.Result;
            if (line is null)
                break;
            Console.Error.WriteLine(line);
            if (StartedLine().IsMatch(line))
                return 0;
            lastLine = line;
        }
        if (!daemon.WaitForExit(TimeSpan.FromSeconds(10)))
            TryKill(daemon);
        int code = daemon.HasExited ? daemon.ExitCode : 1;
        if (lastLine is null)
            Console.Error.WriteLine($"ceph-fuse[{daemon.Id}]: the daemon exited with status {code} before the mount was live");
        return code == 0 ? 1 : code;
    }

    private static string ExecutablePath() =>
        File.Exists("/proc/self/exe") ? Path.GetFullPath(new FileInfo("/proc/self/exe").LinkTarget ?? Environment.ProcessPath!) : Environment.ProcessPath!;

    private static bool IsHostedByDotnet() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "") == "dotnet";

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }
}
