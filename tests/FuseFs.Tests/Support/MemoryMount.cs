using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Memory;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>
/// The in-memory file system mounted in this process through the real kernel (mount(2), /dev/fuse), unmounted
/// and its directory removed on Dispose — lazily as a last resort. Needs root and /dev/fuse: a failure otherwise.
/// </summary>
internal sealed class MemoryMount : IDisposable
{
    public MemoryMount(MemoryFileSystemOptions? options = null, bool defaultPermissions = false, bool writebackCache = false,
        int minReaders = 2, int maxInFlight = 64, bool trace = false, LogLevel logLevel = LogLevel.Information)
    {
        Path = Directory.CreateTempSubdirectory("mcf-mnt-").FullName;
        // As the daemon does: without default_permissions names are not cached, so every path walk reaches the
        // file system's permission checks.
        options ??= new MemoryFileSystemOptions
        {
            CheckPermissions = !defaultPermissions,
            EntryTimeout = defaultPermissions ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
        };
        FileSystem = new MemoryFileSystem(options);
        Log = new TestLogger(logLevel);
        var mount = new FuseMountOptions
        {
            MountPoint = Path,
            FsName = "managed-memfs",
            Subtype = "managed-memfs",
            AllowOther = true,
            DefaultPermissions = defaultPermissions,
            WritebackCache = writebackCache,
            MinReaders = minReaders,
            MaxInFlight = maxInFlight,
        };
        try
        {
            Session = FuseSession.Mount(FileSystem, mount, Log, trace);
            Session.Start();
            if (!Session.WaitForInit(TimeSpan.FromSeconds(10)))
                throw new InvalidOperationException("FUSE INIT did not complete");
        }
        catch
        {
            Session?.Dispose();
            Directory.Delete(Path);
            throw;
        }
    }

    public string Path { get; }

    public MemoryFileSystem FileSystem { get; }

    public FuseSession Session { get; }

    public TestLogger Log { get; }

    /// <summary>A path inside the mount.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            if (!Session.HasEnded)
            {
                if (Session.Unmount(lazy: false) != 0)
                    Session.Unmount(lazy: true);
                Session.Wait(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            Session.Dispose();
            try
            {
                Directory.Delete(Path);
            }
            catch (IOException)
            {
                // still busy (a lazily detached mount): leave the empty directory
            }
        }
    }
}
