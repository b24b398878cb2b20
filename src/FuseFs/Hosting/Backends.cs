using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Memory;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Hosting;

/// <summary>A file system ready to mount, with how it shows in /proc/mounts and what its diagnostics need.</summary>
internal sealed record ServedFileSystem(IFuseFileSystem FileSystem, string FsName, string Subtype, bool DefaultPermissions) : IDisposable
{
    /// <summary>"cephfs" or "memory".</summary>
    public required string Backend { get; init; }

    /// <summary>Where the daemon's admin socket goes (null: none).</summary>
    public string? AdminSocket { get; init; }

    /// <summary>libcephfs's own admin socket, where unknown commands are forwarded (null: none).</summary>
    public string? ClientAdminSocket { get; init; }

    public string? CephVersion { get; init; }

    public TimeSpan EntryTimeout { get; init; }

    public TimeSpan AttrTimeout { get; init; }

    public void Dispose() => (FileSystem as IDisposable)?.Dispose();
}

/// <summary>Creates the file system the command line asks for.</summary>
internal static class Backends
{
    /// <summary>
    /// The file system for <paramref name="commandLine"/> (in the daemon, before the FUSE mount: for CephFS this is
    /// where the Ceph mount happens), or null with a one-line <paramref name="error"/>.
    /// </summary>
    public static ServedFileSystem? Create(CommandLine commandLine, ILogger logger, out string error)
    {
        error = "";
        MountOptionSet mount = commandLine.MountOptions;
        switch (commandLine.Backend)
        {
            case Backend.Memory:
                // The kernel checks permissions (default_permissions) unless told otherwise with ceph-fuse's own knob,
                // --fuse_default_permissions=false: then the file system checks, as ceph-fuse's client does. (The
                // kernel opens FIFOs and device nodes without asking the file system, so only the kernel can check those.)
                bool kernelChecks = mount.DefaultPermissions || ParseBool(commandLine.CephOption("fuse_default_permissions")) != false;
                var options = new MemoryFileSystemOptions
                {
                    CheckPermissions = !kernelChecks,
                    // Without default_permissions the kernel checks nothing on a cached name (not even search permission
                    // on the directories of the path), so names are not cached unless asked for.
                    EntryTimeout = mount.EntryTimeout ?? (kernelChecks ? TimeSpan.FromSeconds(1) : TimeSpan.Zero),
                    AttrTimeout = mount.AttrTimeout ?? TimeSpan.FromSeconds(1),
                    RootUid = LibCIds.Uid,
                    RootGid = LibCIds.Gid,
                };
                return new ServedFileSystem(new MemoryFileSystem(options), mount.FsName ?? "managed-memfs", mount.Subtype ?? "managed-memfs", kernelChecks)
                {
                    Backend = "memory",
                    AdminSocket = AdminSocketPath.Resolve(commandLine.CephOption("admin_socket"), null,
                        commandLine.CephOption("cluster") ?? "ceph", commandLine.Name, null),
                    EntryTimeout = options.EntryTimeout,
                    AttrTimeout = options.AttrTimeout,
                };
            default:
                return CephFs.CephFsBackend.Create(commandLine, logger, out error);
        }
    }

    /// <summary>A ceph-style boolean option value (true/false/1/0/yes/no), or null when absent or not a boolean.</summary>
    internal static bool? ParseBool(string? value) => value?.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };

    private static class LibCIds
    {
        public static uint Uid => Kernel.Interop.LibC.GetUid();
        public static uint Gid => Kernel.Interop.LibC.GetGid();
    }
}
