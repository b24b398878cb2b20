using System.Globalization;
using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Hosting;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// The ceph-fuse command line → a mounted libcephfs client → the file system the daemon serves. Configuration is
/// read as ceph-fuse reads it: the ceph.conf (-c, else the default search path), CEPH_ARGS, then -m, -k,
/// --keyfile and every --&lt;option&gt;=&lt;value&gt;, so any client option works as with ceph-fuse. Failures come
/// back as ceph-fuse's one-liners (<c>ceph mount failed with (2) No such file or directory</c>).
/// </summary>
internal static partial class CephFsBackend
{
    /// <summary>ceph-fuse's fsname and subtype: /proc/mounts reads <c>ceph-fuse /mnt fuse.ceph-fuse …</c>.</summary>
    public const string FsName = "ceph-fuse";

    /// <summary>client_mount_timeout when neither the conf nor the command line sets one (Ceph's is 300 s): a
    /// wrong monitor address fails the mount, and the launcher, within this.</summary>
    public static readonly TimeSpan DefaultMountTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Mounts CephFS as <paramref name="commandLine"/> says; null with a one-line <paramref name="error"/>.</summary>
    public static ServedFileSystem? Create(CommandLine commandLine, ILogger log, out string error)
    {
        error = "";
        if (!TryClientId(commandLine.Name, out string id, out error))
            return null;
        LimitMallocArenas();
        CephMount mount;
        try
        {
            mount = CephMount.Create(id);
        }
        catch (CephException e)
        {
            error = $"ceph client creation failed with ({e.Errno}) {Errno.Message(e.Errno)}";
            return null;
        }
        try
        {
            if (!Configure(mount, commandLine, out error))
            {
                mount.Dispose();
                return null;
            }
            string? adminSocket = MoveAdminSocket(mount, commandLine);
            CephFsOptions options = Options(mount, commandLine);
            try
            {
                if (commandLine.ClientFs is { } fs)
                    mount.SelectFileSystem(fs);
                mount.Mount(commandLine.ClientMountpoint);
            }
            catch (CephException e)
            {
                error = $"ceph mount failed with ({e.Errno}) {Errno.Message(e.Errno)}";
                mount.Dispose();
                return null;
            }
            var fileSystem = new CephFileSystem(mount, options, log);
            if (log.IsEnabled(LogLevel.Debug))
                log.Mounted(mount.FileSystemName ?? "(default)", commandLine.ClientMountpoint, id,
                fileSystem.Nodes.RootVino.ToString(), options.EntryTimeout.TotalSeconds, options.AttrTimeout.TotalSeconds,
                options.DefaultPermissions, options.PosixAcl);
            MountOptionSet o = commandLine.MountOptions;
            return new ServedFileSystem(fileSystem, o.FsName ?? FsName, o.Subtype ?? FsName, options.DefaultPermissions)
            {
                Backend = "cephfs",
                AdminSocket = adminSocket,
                ClientAdminSocket = adminSocket is null ? null : AdminSocketPath.ForLibcephfs(adminSocket),
                CephVersion = CephMount.LibraryVersion,
                EntryTimeout = options.EntryTimeout,
                AttrTimeout = options.AttrTimeout,
            };
        }
        catch (CephException e)
        {
            error = $"ceph mount failed with ({e.Errno}) {Errno.Message(e.Errno)}";
            mount.Dispose();
            return null;
        }
    }

    /// <summary>-n client.X / -i X → X: ceph-fuse is a client; any other entity type is refused.</summary>
    internal static bool TryClientId(string name, out string id, out string error)
    {
        const string prefix = "client.";
        error = "";
        id = "";
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length == prefix.Length)
        {
            error = $"bad entity name '{name}': a ceph-fuse mount is a client (client.ID)";
            return false;
        }
        id = name[prefix.Length..];
        return true;
    }

    private static bool Configure(CephMount mount, CommandLine commandLine, out string error)
    {
        error = "";
        if (commandLine.CephOption("cluster") is { } cluster)
            mount.SetOption("cluster", cluster); // names the default conf file, so before reading it
        try
        {
            mount.ReadConfigFile(commandLine.ConfPath);
        }
        catch (CephException e) when (commandLine.ConfPath is null && e.Errno == Errno.ENOENT)
        {
            // no ceph.conf on the default search path: ceph-fuse goes on with defaults and -m
        }
        catch (CephException e)
        {
            error = $"global_init: unable to open config file from search list {commandLine.ConfPath} ({e.Errno}) {Errno.Message(e.Errno)}";
            return false;
        }
        mount.ParseEnvironment(); // CEPH_ARGS
        if (commandLine.MonHost is { } mons)
            mount.SetOption("mon_host", mons);
        if (commandLine.Keyring is { } keyring)
            mount.SetOption("keyring", keyring);
        if (commandLine.KeyFile is { } keyFile)
            mount.SetOption("keyfile", keyFile);

        // Smaller caches than Ceph's defaults: the kernel's page cache sits above libcephfs's object cache, and a
        // node of a CSI plugin runs one daemon per volume (ceph-fuse ends a benchmark near 1 GiB resident). Clean
        // and dirty data are capped separately (clean ≤ client_oc_size, dirty + in writeback ≤ client_oc_max_dirty),
        // and 4 KiB random writes hold about 2.5× their bytes in buffers (dump_mempools: buffer_anon): 64/32 MiB
        // peaked at 266–299 MiB resident in 4 KiB buffered random writes, 32/24 MiB at 185 MiB, with the same IOPS
        // and the same sequential 1 MiB write and read throughput (make bench, rand-write-buffered and seq-*).
        Prefer(mount, commandLine, "client_oc_size", "209715200", "33554432");
        Prefer(mount, commandLine, "client_oc_max_dirty", "104857600", "25165824");
        // libcephfs formats and keeps every log line up to the second level ("0/5": print 0, keep 5) in memory, to
        // dump after a crash — on every request. Keeping none took a third of the daemon's CPU per 4 KiB random
        // read (114 -> 76 µs) and raised 1-job random-read IOPS from 1.01x to 1.33x ceph-fuse, unlink from 1.54x to
        // 1.68x (perf/results/2026-11-26-profiles.md). A conf file or --debug_client=0/5 brings it back.
        Prefer(mount, commandLine, "debug_client", "0/5", "0/0");
        Prefer(mount, commandLine, "debug_objectcacher", "0/5", "0/0");
        Prefer(mount, commandLine, "debug_objecter", "0/1", "0/0");
        if (commandLine.Debug)
        {
            Prefer(mount, commandLine, "log_to_stderr", "false", "true");
            Prefer(mount, commandLine, "err_to_stderr", "false", "true");
        }

        foreach ((string name, string value) in commandLine.CephOptions)
        {
            if (name == "cluster")
                continue;
            try
            {
                mount.SetOption(name, value);
            }
            catch (CephException e)
            {
                // never echo the value: it may be a key
                error = e.Errno == Errno.ENOENT
                    ? $"unknown option --{name}"
                    : $"bad value for option --{name}: ({e.Errno}) {Errno.Message(e.Errno)}";
                return false;
            }
        }

        if (commandLine.CephOption("client_mount_timeout") is null && Seconds(mount.GetOption("client_mount_timeout")) == 300)
            mount.SetMountTimeout(DefaultMountTimeout);
        else
            mount.SetMountTimeout(TimeSpan.FromSeconds(Math.Max(1, Seconds(mount.GetOption("client_mount_timeout")))));
        return true;
    }

    /// <summary>
    /// The daemon answers on the admin socket ceph-fuse would have (--admin-socket, the conf's admin_socket, or
    /// the default); libcephfs's own moves beside it (X.libcephfs.asok), and the daemon forwards to it what it does
    /// not answer itself. Returns the daemon's path (null: no admin socket at all).
    /// </summary>
    private static string? MoveAdminSocket(CephMount mount, CommandLine commandLine)
    {
        // libcephfs answers the conf's admin_socket with its metavariables expanded; "cluster" cannot be read back
        string? ours = AdminSocketPath.Resolve(commandLine.CephOption("admin_socket"), mount.GetOption("admin_socket"),
            commandLine.CephOption("cluster") ?? "ceph", commandLine.Name, mount.GetOption("run_dir"));
        mount.SetOption("admin_socket", ours is null ? "" : AdminSocketPath.ForLibcephfs(ours));
        return ours;
    }

    /// <summary>How the file system serves the kernel, from the -o options and the ceph-fuse options.</summary>
    private static CephFsOptions Options(CephMount mount, CommandLine commandLine)
    {
        MountOptionSet o = commandLine.MountOptions;
        // default_permissions is on unless the ceph-fuse option turns it off on the command line (see CephFsOptions).
        bool turnedOff = commandLine.CephOption("fuse_default_permissions") is not null && !Bool(mount.GetOption("fuse_default_permissions"));
        bool defaultPermissions = o.DefaultPermissions || !turnedOff;
        return new CephFsOptions
        {
            EntryTimeout = o.EntryTimeout ?? TimeSpan.FromSeconds(1),
            AttrTimeout = o.AttrTimeout ?? TimeSpan.FromSeconds(1),
            DefaultPermissions = defaultPermissions,
            PosixAcl = mount.GetOption("client_acl_type") == "posix_acl",
            SupplementaryGroups = Bool(mount.GetOption("fuse_set_user_groups")),
            DisablePageCache = Bool(mount.GetOption("fuse_disable_pagecache")),
            WritebackCache = o.WritebackCache,
            CacheSize = int.TryParse(mount.GetOption("client_cache_size"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int size) ? size : 16384,
        };
    }

    /// <summary>Sets <paramref name="name"/> to our default when neither the command line nor the configuration
    /// changed Ceph's own default.</summary>
    private static void Prefer(CephMount mount, CommandLine commandLine, string name, string cephDefault, string ours)
    {
        if (commandLine.CephOption(name) is null && mount.GetOption(name) == cephDefault)
            mount.SetOption(name, ours);
    }

    /// <summary>
    /// glibc gives each thread that contends for the heap an arena of its own (up to 8 per core) and keeps what
    /// they once held: libcephfs's messenger, finisher and worker threads then hold tens of MiB that are free.
    /// Two arenas measured 247 MiB peak instead of 292 MiB on a write/read/metadata pass, at the same speed.
    /// MALLOC_ARENA_MAX in the environment still wins. Before ceph_create: its threads come after.
    /// </summary>
    private static void LimitMallocArenas()
    {
        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null)
            _ = MallOpt(MArenaMax, 2);
    }

    private const int MArenaMax = -8; // M_ARENA_MAX (malloc.h)

    // int mallopt(int param, int value);
    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);

    private static bool Bool(string value) => value is "true" or "1" or "yes" or "on";

    private static double Seconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) ? seconds : 300;
}
