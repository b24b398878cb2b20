using System.Reflection;

namespace ManagedCephFuse.FuseFs.Hosting;

/// <summary>The program: parse, then launch (default), or run the daemon (-f, -d, or as the launcher's child).</summary>
internal static class Entry
{
    public static string Version =>
        typeof(Entry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "daemon")
        {
            if (args.Length < 2)
            {
                Console.Error.WriteLine("managed-cephfuse: usage: managed-cephfuse daemon SOCKET COMMAND [ARGS...]");
                return 1;
            }
            return Diagnostics.AdminSocketClient.Run(args[1], args[2..], Console.Out, Console.Error);
        }
        if (!CommandLine.TryParse(args, out CommandLine commandLine, out string error))
        {
            Console.Error.WriteLine($"managed-cephfuse: {error}");
            return 1;
        }
        if (commandLine.ShowHelp)
        {
            Console.Out.WriteLine(CommandLine.Usage);
            return 0;
        }
        if (commandLine.ShowVersion)
        {
            Console.Out.WriteLine($"managed-cephfuse version {Version}");
            return 0;
        }
        if (commandLine.MountPoint is null)
        {
            Console.Error.WriteLine("managed-cephfuse: no mount point given (see --help)");
            return 1;
        }
        if (!Directory.Exists(commandLine.MountPoint))
        {
            Console.Error.WriteLine($"managed-cephfuse: mount point {commandLine.MountPoint} does not exist or is not a directory");
            return 1;
        }
        return commandLine.Foreground || commandLine.DaemonChild
            ? Daemon.Run(commandLine)
            : Launcher.Run(commandLine);
    }
}
