using System.Runtime.InteropServices;
using System.Text;
using ManagedCephFuse.CephClient.Native;
using static ManagedCephFuse.CephClient.Native.LibCephFs;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// A libcephfs client (<c>ceph_mount_info</c>): configure, mount, use, dispose. The throwing convenience layer
/// lives here (CephMount.Operations.cs); the FUSE hot path is <see cref="LowLevel"/>.
/// Disposing unmounts and releases the client once every <see cref="CephInode"/>, <see cref="CephFile"/> and
/// <see cref="CephDirectory"/> of it is disposed as well.
/// </summary>
public sealed unsafe partial class CephMount : IDisposable
{
    private readonly CephMountHandle _handle;
    private readonly nint _cmount;
    private CephCallbackRegistration? _callbacks;
    private bool _initialized;
    private TimeSpan _mountTimeout = TimeSpan.FromSeconds(300); // libcephfs's default client_mount_timeout

    private CephMount(CephMountHandle handle, string? id)
    {
        _handle = handle;
        _cmount = handle.DangerousGetHandle();
        Id = id;
        LowLevel = new CephLowLevel(_cmount);
        DefaultPerms = ceph_mount_perms(_cmount);
    }

    /// <summary>The client id given at creation (null: libcephfs used the pid).</summary>
    public string? Id { get; }

    /// <summary>The hot-path API (int results, raw pointers, spans). Valid until <see cref="Dispose"/>.</summary>
    public CephLowLevel LowLevel { get; }

    /// <summary>The mount's own credentials (<c>ceph_mount_perms</c>; the process's uid/gid unless
    /// <c>client_mount_uid/gid</c> say otherwise). Owned by the mount: never destroy it.</summary>
    public UserPermPtr DefaultPerms { get; }

    /// <summary>ceph_is_mounted.</summary>
    public bool IsMounted => !_handle.IsClosed && ceph_is_mounted(_cmount) != 0;

    /// <summary>Callback invocations that threw (and were swallowed at the native boundary).</summary>
    public int CallbackFailures => _callbacks?.Failures ?? 0;

    /// <summary>ceph_version: the library's version, e.g. "16.2.15".</summary>
    public static string LibraryVersion
    {
        get
        {
            int major, minor, patch;
            return Marshal.PtrToStringUTF8((nint)ceph_version(&major, &minor, &patch)) ?? "";
        }
    }

    /// <summary>ceph_create: a new, unconfigured client named <c>client.<paramref name="id"/></c>.</summary>
    public static CephMount Create(string? id = null)
    {
        int r = ceph_create(out CephMountHandle handle, id);
        if (r < 0)
        {
            handle.SetHandleAsInvalid();
            throw new CephException(-r, "ceph_create", Quote(id));
        }
        return new CephMount(handle, id);
    }

    /// <summary>
    /// Create, configure and mount in one go; a failure at any step disposes the client and throws a
    /// <see cref="CephException"/> whose message is one line naming the step.
    /// </summary>
    public static CephMount Connect(CephMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mount = Create(options.Id);
        try
        {
            if (options.ConfigFile is not null)
                mount.ReadConfigFile(options.ConfigFile);
            if (options.MonHost is not null)
                mount.SetOption("mon_host", options.MonHost);
            if (options.Keyring is not null)
                mount.SetOption("keyring", options.Keyring);
            if (options.KeyFile is not null)
                mount.SetOption("keyfile", options.KeyFile);
            if (options.AdminSocket is not null)
                mount.SetOption("admin_socket", options.AdminSocket);
            if (options.Options is not null)
            {
                foreach (var (name, value) in options.Options)
                    mount.SetOption(name, value);
            }
            if (options.Arguments is { Count: > 0 })
                mount.ParseArguments(options.Arguments);
            mount.SetMountTimeout(options.MountTimeout);
            if (options.FileSystem is not null)
                mount.SelectFileSystem(options.FileSystem);
            mount.Mount(options.Root);
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    /// <summary>ceph_conf_read_file: read a ceph.conf (null: the default search path).</summary>
    public void ReadConfigFile(string? path)
    {
        int r = ceph_conf_read_file(_handle, path);
        if (r < 0)
            throw new CephException(-r, "ceph_conf_read_file", Quote(path));
    }

    /// <summary>ceph_conf_set. Options named with '_' or ' ' or '-' alike.</summary>
    public void SetOption(string option, string value)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(value);
        int r = ceph_conf_set(_handle, option, value);
        if (r < 0)
            throw new CephException(-r, "ceph_conf_set", Quote(option)); // the value may be a secret: never echoed
    }

    /// <summary>ceph_conf_get: the option's value with metavariables ($name, $pid, …) expanded.</summary>
    public string GetOption(string option)
    {
        ArgumentNullException.ThrowIfNull(option);
        for (int size = 256; ; size *= 4)
        {
            byte[] buffer = new byte[size];
            int r;
            fixed (byte* b = buffer)
                r = ceph_conf_get(_handle, option, b, (nuint)size);
            if (r == -Errno.ENAMETOOLONG && size < 1 << 20)
                continue;
            if (r < 0)
                throw new CephException(-r, "ceph_conf_get", Quote(option));
            int end = Array.IndexOf(buffer, (byte)0);
            return Encoding.UTF8.GetString(buffer, 0, end < 0 ? size : end);
        }
    }

    /// <summary>
    /// ceph_conf_parse_argv: command-line style options ("--client_mount_timeout=10", "--log-file /x").
    /// libcephfs ignores arguments it does not know.
    /// </summary>
    public void ParseArguments(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        // argv[0] is the program name, which libcephfs skips
        var encoded = new byte[arguments.Count + 1][];
        encoded[0] = "managed-cephfuse\0"u8.ToArray();
        for (int i = 0; i < arguments.Count; i++)
            encoded[i + 1] = Encoding.UTF8.GetBytes(arguments[i] + "\0");
        var pins = new GCHandle[encoded.Length];
        try
        {
            byte** argv = stackalloc byte*[encoded.Length];
            for (int i = 0; i < encoded.Length; i++)
            {
                pins[i] = GCHandle.Alloc(encoded[i], GCHandleType.Pinned);
                argv[i] = (byte*)pins[i].AddrOfPinnedObject();
            }
            int r = ceph_conf_parse_argv(_handle, encoded.Length, argv);
            if (r < 0)
                throw new CephException(-r, "ceph_conf_parse_argv", $"{arguments.Count} arguments");
        }
        finally
        {
            foreach (var pin in pins)
            {
                if (pin.IsAllocated)
                    pin.Free();
            }
        }
    }

    /// <summary>
    /// ceph_conf_parse_env: options from an environment variable (null: CEPH_ARGS) of the native environment.
    /// Environment options rank below command-line ones. libcephfs keeps the first variable's words for the whole
    /// process (a static vector): use it once, for CEPH_ARGS.
    /// </summary>
    public void ParseEnvironment(string? variable = null)
    {
        int r = ceph_conf_parse_env(_handle, variable);
        if (r < 0)
            throw new CephException(-r, "ceph_conf_parse_env", Quote(variable ?? "CEPH_ARGS"));
    }

    /// <summary>
    /// ceph_set_mount_timeout (<c>client_mount_timeout</c>, whole seconds, at least 1): how long mounting waits
    /// for the monitors before failing with ETIMEDOUT.
    /// </summary>
    public void SetMountTimeout(TimeSpan timeout)
    {
        uint seconds = (uint)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 1, uint.MaxValue);
        int r = ceph_set_mount_timeout(_handle, seconds);
        if (r < 0)
            throw new CephException(-r, "ceph_set_mount_timeout", $"{seconds} s");
        _mountTimeout = TimeSpan.FromSeconds(seconds);
    }

    /// <summary>ceph_select_filesystem: which file system <see cref="Mount"/> mounts (checked by the mount).</summary>
    public void SelectFileSystem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int r = ceph_select_filesystem(_handle, name);
        if (r < 0)
            throw new CephException(-r, "ceph_select_filesystem", Quote(name));
        FileSystemName = name;
    }

    /// <summary>The file system chosen with <see cref="SelectFileSystem"/> (null: the default one).</summary>
    public string? FileSystemName { get; private set; }

    /// <summary>ceph_init: start the client without mounting (connects to the monitors, authenticates).</summary>
    public void Init()
    {
        int r = ceph_init(_handle);
        if (r < 0)
            throw MountFailure(-r, "ceph_init", null);
        _initialized = true;
    }

    /// <summary>ceph_mount: mount <paramref name="root"/> of the file system.</summary>
    public void Mount(string root = "/")
    {
        ArgumentNullException.ThrowIfNull(root);
        int r = ceph_mount(_handle, root);
        if (r < 0)
            throw MountFailure(-r, "ceph_mount", root);
        _initialized = true;
    }

    /// <summary>
    /// ceph_unmount. Refuses while owning handles of this mount are open (libcephfs would crash when they are
    /// disposed later). Raw pointers of <see cref="LowLevel"/> become invalid.
    /// </summary>
    public void Unmount()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int open = _handle.Children;
        if (open > 0)
            throw new InvalidOperationException($"{open} inode references, files or directories of this mount are still open");
        LowLevel.MarkClosed();
        int r = ceph_unmount(_cmount);
        if (r < 0)
            throw new CephException(-r, "ceph_unmount", null);
    }

    /// <summary>
    /// ceph_abort_conn: drop the connections without flushing or closing the MDS sessions, as a crash would (the
    /// MDS keeps the session until it times out or is evicted). Afterwards the mount is unmounted.
    /// </summary>
    public void Abort()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        LowLevel.MarkClosed();
        int r = ceph_abort_conn(_cmount);
        if (r < 0)
            throw new CephException(-r, "ceph_abort_conn", null);
    }

    /// <summary>ceph_get_fs_cid: the mounted file system's id (fscid).</summary>
    public long FileSystemId => CephException.ThrowIfError(ceph_get_fs_cid(_handle), "ceph_get_fs_cid");

    /// <summary>ceph_get_instance_id: this client's global id (client.N), as the MDS sees it.</summary>
    public ulong InstanceId => ceph_get_instance_id(_handle);

    /// <summary>ceph_statfs for a path of the mount (under a quota root: the quota as size).</summary>
    public StatVfs StatFs(string path = "/")
    {
        StatVfs stat;
        int r = ceph_statfs(_handle, path, &stat);
        if (r < 0)
            throw new CephException(-r, "ceph_statfs", Quote(path));
        return stat;
    }

    /// <summary>ceph_sync_fs: write back everything dirty.</summary>
    public void SyncFs() => CephException.ThrowIfError(LowLevel.SyncFs(), "ceph_sync_fs");

    /// <summary>
    /// ceph_ll_register_callbacks with the members of <paramref name="sink"/> chosen by <paramref name="kinds"/>.
    /// Once per mount, after <see cref="Init"/> or <see cref="Mount"/>; there is no unregistering.
    /// </summary>
    public void RegisterCallbacks(ICephClientCallbacks sink, CephCallbackKinds kinds)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (!_initialized)
            throw new InvalidOperationException("register callbacks after Init() or Mount(): libcephfs has no client before");
        if (_callbacks is not null)
            throw new InvalidOperationException("callbacks are already registered on this mount");
        var registration = new CephCallbackRegistration(sink);
        var gcHandle = GCHandle.Alloc(registration);
        _handle.Callbacks = gcHandle; // freed after ceph_release
        _callbacks = registration;
        var args = CephCallbackRegistration.CreateArgs((void*)GCHandle.ToIntPtr(gcHandle), kinds);
        ceph_ll_register_callbacks(_handle, &args);
    }

    /// <summary>This client's admin socket path (<c>admin_socket</c> expanded); empty when it has none.</summary>
    public string AdminSocketPath => GetOption("admin_socket");

    /// <summary>Runs an admin socket command of this client (e.g. "status", "dump_cache", "perf dump") and
    /// returns its JSON answer.</summary>
    public string AdminCommand(string prefix)
    {
        string path = AdminSocketPath;
        if (path.Length == 0)
            throw new CephException(Errno.ENOENT, "admin socket", Quote(prefix), "this client has no admin_socket configured");
        return CephAdminSocket.Command(path, prefix);
    }

    /// <summary>
    /// The admin socket's <c>status</c>: cached inode and dentry counts. Throws when the socket answering is not
    /// this client's (two mounts of a process configured with the same admin_socket path).
    /// </summary>
    public CephClientStatus GetClientStatus()
    {
        var status = CephAdminSocket.ParseStatus(AdminCommand("status"));
        if ((ulong)status.Id != InstanceId)
            throw new InvalidOperationException(
                $"admin socket {AdminSocketPath} answers for client.{status.Id}, not client.{InstanceId}: give each mount its own admin_socket");
        return status;
    }

    /// <summary>The admin socket's <c>dump_cache</c>: every cached inode with its ll reference count.</summary>
    public IReadOnlyList<CephCachedInode> DumpCache()
    {
        _ = GetClientStatus(); // proves the socket is ours
        return CephAdminSocket.ParseCache(AdminCommand("dump_cache"));
    }

    /// <summary>Unmounts (when mounted) and releases the client, now or when its last open handle is disposed.</summary>
    public void Dispose()
    {
        LowLevel.MarkClosed();
        _handle.Dispose();
    }

    private CephException MountFailure(int errno, string call, string? root)
    {
        string who = $"client.{Id ?? "(pid)"}";
        string fs = FileSystemName is null ? "the default file system" : $"file system \"{FileSystemName}\"";
        string detail = errno switch
        {
            Errno.ETIMEDOUT => $"no answer from the monitors ({TryGetOption("mon_host")}) within {_mountTimeout.TotalSeconds:0} s",
            Errno.EACCES or Errno.EPERM or Errno.EKEYREJECTED => $"{who} was not authorized: wrong key or caps",
            Errno.ENOENT => root is null ? $"{fs} does not exist" : $"{fs} or its path \"{root}\" does not exist",
            Errno.ENOTCONN or Errno.ESHUTDOWN => $"{who} was disconnected or blocklisted",
            Errno.EINVAL => $"invalid client configuration (mon_host \"{TryGetOption("mon_host")}\")",
            Errno.CephFsMonMapBuild => $"cannot build a monitor map from mon_host \"{TryGetOption("mon_host")}\"",
            _ => $"{who} could not mount {fs}",
        };
        return new CephException(errno, call, Quote(root), detail);
    }

    private string TryGetOption(string option)
    {
        try
        {
            return GetOption(option);
        }
        catch (CephException)
        {
            return "?";
        }
    }

    internal static string? Quote(string? text) => text is null ? null : $"\"{text}\"";
}
