using System.Globalization;
using ManagedCephFuse.FuseFs.Kernel.Interop;

namespace ManagedCephFuse.FuseFs.Hosting;

/// <summary>Which file system the daemon serves.</summary>
internal enum Backend
{
    /// <summary>CephFS through libcephfs (the default, as for ceph-fuse).</summary>
    Ceph,

    /// <summary>The in-memory file system (kernel-layer tests, FUSE-only baseline).</summary>
    Memory,
}

/// <summary>
/// The parsed command line, ceph-fuse compatible:
/// <c>managed-cephfuse [--backend ceph|memory] MOUNTPOINT [-m MONS] [-c CONF] [-n client.X | -i X] [-k KEYRING]
/// [--keyfile=F] [-r PATH] [--client_fs=FS] [--client_mds_namespace=FS] [-o opt[,opt]] [,opts] [-f] [-d]
/// [--&lt;ceph option&gt;=&lt;value&gt;] [-V] [-h]</c>, options before or after the mount point.
/// Ceph option names accept '-' or '_' (<c>--client-fs</c> = <c>--client_fs</c>).
/// </summary>
internal sealed class CommandLine
{
    /// <summary>The hidden flag the launcher adds when it re-executes itself as the daemon.</summary>
    public const string DaemonChildFlag = "--managed-cephfuse-daemon-child";

    public string? MountPoint { get; private set; }

    public Backend Backend { get; private set; } = Backend.Ceph;

    /// <summary>-f: stay in the foreground (no daemon).</summary>
    public bool Foreground { get; private set; }

    /// <summary>-d: foreground, debug log and a trace line per FUSE request and reply on stderr.</summary>
    public bool Debug { get; private set; }

    public bool ShowVersion { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>This process is the daemon the launcher started.</summary>
    public bool DaemonChild { get; private set; }

    /// <summary>-m / --mon-host: monitor addresses as given (mon_host).</summary>
    public string? MonHost { get; private set; }

    /// <summary>-c / --conf: the ceph.conf to read.</summary>
    public string? ConfPath { get; private set; }

    /// <summary>-n / --name, or "client." + -i / --id; default client.admin.</summary>
    public string Name { get; private set; } = "client.admin";

    /// <summary>-k / --keyring.</summary>
    public string? Keyring { get; private set; }

    /// <summary>--keyfile: a file holding the bare base64 key.</summary>
    public string? KeyFile { get; private set; }

    /// <summary>-r / --client_mountpoint: the CephFS directory mounted as the root; default "/".</summary>
    public string ClientMountpoint { get; private set; } = "/";

    /// <summary>--client_fs (or the legacy --client_mds_namespace): which CephFS file system.</summary>
    public string? ClientFs { get; private set; }

    /// <summary>--metrics-address HOST:PORT: serve Prometheus metrics there (off when null).</summary>
    public string? MetricsAddress { get; private set; }

    /// <summary>Every other --name=value (and ceph.name=value mount option), in order, names with '_'.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CephOptions => _cephOptions;

    /// <summary>The FUSE mount options (-o), parsed.</summary>
    public MountOptionSet MountOptions { get; } = new();

    /// <summary>The arguments as given (the launcher passes them on to the daemon).</summary>
    public IReadOnlyList<string> Arguments { get; private set; } = [];

    private readonly List<KeyValuePair<string, string>> _cephOptions = [];

    /// <summary>The value of the ceph option <paramref name="name"/> given last, or null.</summary>
    public string? CephOption(string name)
    {
        for (int i = _cephOptions.Count - 1; i >= 0; i--)
        {
            if (_cephOptions[i].Key == name)
                return _cephOptions[i].Value;
        }
        return null;
    }

    /// <summary>Parses <paramref name="args"/>; false with a one-line <paramref name="error"/> when they are wrong.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out CommandLine commandLine, out string error)
    {
        commandLine = new CommandLine { Arguments = args.Where(a => a != DaemonChildFlag).ToArray() };
        error = "";
        bool afterMountOption = false;
        bool endOfOptions = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            bool wasAfterMountOption = afterMountOption;
            afterMountOption = false;
            string? Next()
            {
                if (i + 1 >= args.Count)
                    return null;
                return args[++i];
            }

            if (endOfOptions || arg.Length == 0 || arg == "-" || (arg[0] != '-' && arg[0] != ','))
            {
                if (arg.Length == 0)
                {
                    error = "empty argument";
                    return false;
                }
                if (commandLine.MountPoint is not null)
                {
                    error = $"unexpected argument '{arg}' (the mount point is already '{commandLine.MountPoint}')";
                    return false;
                }
                commandLine.MountPoint = arg;
                continue;
            }
            if (arg[0] == ',')
            {
                // ceph-csi v3.0.0 passes extra FUSE options as a separate ",opts" argument after "-o nonempty".
                if (!wasAfterMountOption)
                {
                    error = $"unexpected argument '{arg}': ',options' must follow -o";
                    return false;
                }
                if (!commandLine.MountOptions.TryAdd(arg[1..], commandLine._cephOptions, out error))
                    return false;
                afterMountOption = true;
                continue;
            }
            if (arg == "--")
            {
                endOfOptions = true;
                continue;
            }
            if (arg == DaemonChildFlag)
            {
                commandLine.DaemonChild = true;
                continue;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = arg.IndexOf('=', StringComparison.Ordinal);
                string name = (eq < 0 ? arg[2..] : arg[2..eq]).Replace('-', '_');
                string? inline = eq < 0 ? null : arg[(eq + 1)..];
                if (name.Length == 0)
                {
                    error = $"bad option '{arg}'";
                    return false;
                }
                if (!commandLine.TryLong(name, inline, Next, out error))
                    return false;
                continue;
            }
            // short options: -f -d -V -h, and -m -c -n -i -k -r -o with a value (attached or next)
            char flag = arg[1];
            string? attached = arg.Length > 2 ? arg[2..] : null;
            switch (flag)
            {
                case 'f' when attached is null:
                    commandLine.Foreground = true;
                    break;
                case 'd' when attached is null:
                    commandLine.Debug = true;
                    commandLine.Foreground = true;
                    break;
                case 'V' when attached is null:
                    commandLine.ShowVersion = true;
                    break;
                case 'h' when attached is null:
                    commandLine.ShowHelp = true;
                    break;
                case 'm' or 'c' or 'n' or 'i' or 'k' or 'r' or 'o':
                    string? value = attached ?? Next();
                    if (value is null || value.Length == 0)
                    {
                        error = $"option -{flag} needs a value";
                        return false;
                    }
                    if (flag == 'o')
                    {
                        if (!commandLine.MountOptions.TryAdd(value, commandLine._cephOptions, out error))
                            return false;
                        afterMountOption = true;
                    }
                    else if (!commandLine.SetShort(flag, value, out error))
                    {
                        return false;
                    }
                    break;
                default:
                    error = $"unknown option '{arg}' (see --help)";
                    return false;
            }
        }
        return true;
    }

    private bool SetShort(char flag, string value, out string error)
    {
        error = "";
        return flag switch
        {
            'm' => SetMon(value),
            'c' => SetConf(value),
            'n' => SetName(value, out error),
            'i' => SetName("client." + value, out error),
            'k' => SetKeyring(value),
            'r' => SetRoot(value, out error),
            _ => false,
        };
    }

    private bool SetMon(string value)
    {
        MonHost = value;
        return true;
    }

    private bool SetConf(string value)
    {
        ConfPath = value;
        return true;
    }

    private bool SetKeyring(string value)
    {
        Keyring = value;
        return true;
    }

    private bool SetName(string value, out string error)
    {
        error = "";
        int dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == value.Length - 1)
        {
            error = $"bad entity name '{value}': expected TYPE.ID, e.g. client.admin";
            return false;
        }
        Name = value;
        return true;
    }

    private bool SetRoot(string value, out string error)
    {
        error = "";
        if (!value.StartsWith('/'))
        {
            error = $"bad client_mountpoint '{value}': must be an absolute path in the file system";
            return false;
        }
        ClientMountpoint = value;
        return true;
    }

    private static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal)
    {
        "backend", "mon_host", "conf", "name", "id", "keyring", "keyfile", "client_mountpoint", "client_fs",
        "client_mds_namespace", "admin_socket", "log_file", "cluster", "key", "metrics_address",
    };

    private bool TryLong(string name, string? inline, Func<string?> next, out string error)
    {
        error = "";
        switch (name)
        {
            case "help":
                ShowHelp = true;
                return true;
            case "version":
                ShowVersion = true;
                return true;
            case "foreground":
                Foreground = true;
                return true;
        }
        string? value = inline;
        if (value is null && ValueOptions.Contains(name))
        {
            value = next();
            if (value is null)
            {
                error = $"option --{name.Replace('_', '-')} needs a value";
                return false;
            }
        }
        if (value is null)
        {
            // A bare --flag sets a ceph boolean option.
            _cephOptions.Add(new(name, "true"));
            return true;
        }
        if (value.Length == 0 && name is not ("client_fs" or "client_mds_namespace" or "admin_socket"))
        {
            error = $"option --{name.Replace('_', '-')} needs a value";
            return false;
        }
        switch (name)
        {
            case "backend":
                if (value is "memory")
                    Backend = Backend.Memory;
                else if (value is "ceph" or "cephfs")
                    Backend = Backend.Ceph;
                else
                {
                    error = $"bad --backend '{value}': expected ceph or memory";
                    return false;
                }
                return true;
            case "mon_host":
                return SetMon(value);
            case "conf":
                return SetConf(value);
            case "name":
                return SetName(value, out error);
            case "id":
                return SetName("client." + value, out error);
            case "keyring":
                return SetKeyring(value);
            case "keyfile":
                KeyFile = value;
                return true;
            case "client_mountpoint":
                return SetRoot(value, out error);
            case "client_fs":
            case "client_mds_namespace":
                ClientFs = value.Length > 0 ? value : null;
                return true;
            case "metrics_address":
                if (Diagnostics.MetricsEndpoint.Parse(value) is null)
                {
                    error = $"bad --metrics-address '{value}': expected HOST:PORT (an IP address or localhost)";
                    return false;
                }
                MetricsAddress = value;
                return true;
            default:
                _cephOptions.Add(new(name, value));
                return true;
        }
    }

    /// <summary>The usage text for -h.</summary>
    public static string Usage =>
        """
        usage: managed-cephfuse [--backend ceph|memory] MOUNTPOINT [options]
          -m MON[,MON...]         monitor addresses (mon_host)
          -c, --conf FILE         ceph.conf to read
          -n, --name TYPE.ID      entity name (default client.admin); -i, --id ID for client.ID
          -k, --keyring FILE      keyring; --keyfile=FILE: a file with the bare key
          -r, --client_mountpoint PATH   directory of the file system to mount as the root
          --client_fs=FS          file system name (--client_mds_namespace=FS, legacy)
          -o OPT[,OPT...]         mount options: allow_other, default_permissions, nonempty, ro, suid, dev
                                  (nosuid,nodev by default, as ceph-fuse), noexec, noatime, fsname=, subtype=, max_write=, max_read=, writeback_cache,
                                  entry_timeout=, attr_timeout=, min_threads=, max_threads=, read_ahead_kb=,
                                  ceph.OPTION=VALUE
          -f                      stay in the foreground
          -d                      foreground with a debug trace of every FUSE request on stderr
          --OPTION=VALUE          any ceph option, handed to libcephfs
          --admin-socket PATH     the admin socket (default: the conf's admin_socket, else
                                  /var/run/ceph/$cluster-$name.$pid.asok; empty: none)
          --metrics-address HOST:PORT   serve Prometheus metrics at http://HOST:PORT/metrics (off by default)
          -V, --version           print the version; -h, --help: this text
        Without -f the command returns once the mount is live, printing "ceph-fuse[PID]: starting fuse".

        usage: managed-cephfuse daemon SOCKET COMMAND [ARGS...]
          asks a running daemon's admin socket, like `ceph --admin-daemon SOCKET COMMAND`: perf dump [LOGGER],
          perf schema, perf reset all, fuse ops [OPCODE], status, config get NAME, config show, version, help
        """;
}

/// <summary>The -o mount options, as the daemon and the kernel layer need them.</summary>
internal sealed class MountOptionSet
{
    private readonly List<string> _extraKernel = [];

    public bool? AllowOther { get; private set; }
    public bool DefaultPermissions { get; private set; }
    public bool NonEmpty { get; private set; }
    public bool ReadOnly { get; private set; }
    /// <summary>MS_* flags; nosuid and nodev unless -o suid / -o dev, as libfuse (and so ceph-fuse) mounts.</summary>
    public int MountFlags { get; private set; } = LibC.MS_NOSUID | LibC.MS_NODEV;
    public string? FsName { get; private set; }
    public string? Subtype { get; private set; }
    public bool WritebackCache { get; private set; }
    public int? MaxWrite { get; private set; }
    public int? MaxThreads { get; private set; }
    public int? MinThreads { get; private set; }
    public int? ReadAheadKb { get; private set; }
    public TimeSpan? EntryTimeout { get; private set; }
    public TimeSpan? AttrTimeout { get; private set; }

    /// <summary>Options handed to the kernel as they are (max_read=).</summary>
    public IReadOnlyList<string> ExtraKernelOptions => _extraKernel;

    /// <summary>Every option as given, for the log.</summary>
    public List<string> Given { get; } = [];

    internal bool TryAdd(string list, List<KeyValuePair<string, string>> cephOptions, out string error)
    {
        error = "";
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Given.Add(raw);
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? raw : raw[..eq];
            string? value = eq < 0 ? null : raw[(eq + 1)..];
            if (!Apply(key, value, cephOptions, out error))
                return false;
        }
        return true;
    }

    private bool Apply(string key, string? value, List<KeyValuePair<string, string>> cephOptions, out string error)
    {
        error = "";
        if (key.StartsWith("ceph.", StringComparison.Ordinal) && key.Length > 5)
        {
            cephOptions.Add(new(key[5..].Replace('-', '_'), value ?? "true"));
            return true;
        }
        if (key.StartsWith("x-", StringComparison.Ordinal))
            return true; // userspace-only fstab options (x-systemd.*)
        switch (key)
        {
            case "allow_other": AllowOther = true; return NoValue(key, value, out error);
            case "noallow_other": AllowOther = false; return NoValue(key, value, out error);
            case "default_permissions": DefaultPermissions = true; return NoValue(key, value, out error);
            case "nonempty": NonEmpty = true; return NoValue(key, value, out error);
            case "ro": ReadOnly = true; return NoValue(key, value, out error);
            case "rw": ReadOnly = false; return NoValue(key, value, out error);
            case "nosuid": MountFlags |= LibC.MS_NOSUID; return NoValue(key, value, out error);
            case "suid": MountFlags &= ~LibC.MS_NOSUID; return NoValue(key, value, out error);
            case "nodev": MountFlags |= LibC.MS_NODEV; return NoValue(key, value, out error);
            case "dev": MountFlags &= ~LibC.MS_NODEV; return NoValue(key, value, out error);
            case "noexec": MountFlags |= LibC.MS_NOEXEC; return NoValue(key, value, out error);
            case "exec": MountFlags &= ~LibC.MS_NOEXEC; return NoValue(key, value, out error);
            case "noatime": MountFlags |= LibC.MS_NOATIME; return NoValue(key, value, out error);
            case "nodiratime": MountFlags |= LibC.MS_NODIRATIME; return NoValue(key, value, out error);
            case "relatime": MountFlags |= LibC.MS_RELATIME; return NoValue(key, value, out error);
            case "strictatime": MountFlags |= LibC.MS_STRICTATIME; return NoValue(key, value, out error);
            case "atime" or "norelatime" or "async" or "auto" or "noauto" or "user" or "users" or "nouser" or "defaults" or "_netdev" or "nofail":
                return NoValue(key, value, out error);
            case "sync": MountFlags |= LibC.MS_SYNCHRONOUS; return NoValue(key, value, out error);
            case "dirsync": MountFlags |= LibC.MS_DIRSYNC; return NoValue(key, value, out error);
            case "writeback_cache": WritebackCache = true; return NoValue(key, value, out error);
            case "no_writeback_cache": WritebackCache = false; return NoValue(key, value, out error);
            // libfuse/ceph-fuse options that are always on here or mean nothing without libfuse
            case "big_writes" or "atomic_o_trunc" or "splice_read" or "splice_write" or "splice_move" or "kernel_cache" or "auto_cache" or "clone_fd":
                return NoValue(key, value, out error);
            case "fsname":
                FsName = Required(key, value, out error);
                return FsName is not null;
            case "subtype":
                Subtype = Required(key, value, out error);
                return Subtype is not null;
            case "comment":
                return true;
            case "max_read":
                if (!TryPositive(key, value, out int maxRead, out error))
                    return false;
                _extraKernel.Add($"max_read={maxRead}");
                return true;
            case "max_write":
                if (!TryPositive(key, value, out int maxWrite, out error))
                    return false;
                MaxWrite = maxWrite;
                return true;
            case "max_threads":
                if (!TryPositive(key, value, out int threads, out error))
                    return false;
                MaxThreads = threads;
                return true;
            case "read_ahead_kb":
                if (!TryPositive(key, value, out int readAhead, out error))
                    return false;
                ReadAheadKb = readAhead;
                return true;
            case "min_threads":
                if (!TryPositive(key, value, out int readers, out error))
                    return false;
                MinThreads = readers;
                return true;
            case "entry_timeout" or "attr_timeout":
                if (value is null || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds < 0 || seconds > 86400)
                {
                    error = $"bad mount option {key}='{value}': expected seconds (0 to 86400)";
                    return false;
                }
                if (key == "entry_timeout")
                    EntryTimeout = TimeSpan.FromSeconds(seconds);
                else
                    AttrTimeout = TimeSpan.FromSeconds(seconds);
                return true;
            default:
                error = $"unknown mount option '{key}'";
                return false;
        }
    }

    private static bool NoValue(string key, string? value, out string error)
    {
        error = value is null ? "" : $"mount option '{key}' takes no value";
        return value is null;
    }

    private static string? Required(string key, string? value, out string error)
    {
        error = string.IsNullOrEmpty(value) ? $"mount option '{key}' needs a value" : "";
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static bool TryPositive(string key, string? value, out int result, out string error)
    {
        error = "";
        if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result > 0)
            return true;
        result = 0;
        error = $"bad mount option {key}='{value}': expected a positive number";
        return false;
    }
}
