namespace ManagedCephFuse.CsiPlugin.Config;

/// <summary>
/// The command line, with ceph-csi's <c>cephcsi</c> flag names and defaults (<c>--flag=value</c>,
/// <c>--flag value</c>, or a bare boolean <c>--flag</c>). Flags of ceph-csi that this port does not implement
/// are accepted and reported, so existing manifests keep working.
/// </summary>
internal sealed class PluginOptions
{
    public const string DefaultDriverName = "cephfs.csi.ceph.com";

    // ceph-csi flags that change nothing here (metrics ports, klog, rbd/nfs knobs, …)
    private static readonly HashSet<string> IgnoredFlags = new(StringComparer.Ordinal)
    {
        "v", "logtostderr", "alsologtostderr", "stderrthreshold", "pidlimit", "metricsport", "metricspath",
        "enableprofiling", "enablegrpcmetrics", "polltime", "timeout", "histogram-option", "domainlabels",
        "clustername", "setmetadata", "logslowopinterval", "maxsnapshotsonimage", "minsnapshotsonimage",
        "skipforceflatten", "stagingpath", "kernelmountoptions", "fusemountoptions", "enable-read-affinity",
        "crush-location-labels", "radosnamespacecephfs", "metadatastorage", "extra-create-metadata",
        "leader-election", "leader-election-namespace", "leader-election-lease-duration",
        "leader-election-renew-deadline", "leader-election-retry-period",
    };

    private static readonly HashSet<string> BoolFlags = new(StringComparer.Ordinal)
    {
        "nodeserver", "controllerserver", "forcecephkernelclient", "version", "help", "logtostderr",
        "alsologtostderr", "enableprofiling", "enablegrpcmetrics", "setmetadata", "skipforceflatten",
        "enable-read-affinity", "extra-create-metadata", "leader-election",
    };

    public string Type { get; private set; } = "cephfs";
    public string Endpoint { get; private set; } = "unix:///tmp/csi.sock";
    public string NodeId { get; private set; } = "";
    public string DriverName { get; private set; } = DefaultDriverName;
    public bool NodeServer { get; private set; }
    public bool ControllerServer { get; private set; }
    public string InstanceId { get; private set; } = "default";
    public string ConfigFile { get; private set; } = "/etc/ceph-csi-config/config.json";
    public string CephConf { get; private set; } = "/etc/ceph/ceph.conf";
    public string FuseMounterBinary { get; private set; } = Path.Combine(AppContext.BaseDirectory, "managed-cephfuse");
    public bool ForceKernelClient { get; private set; }
    public string KeysDirectory { get; private set; } = "/tmp/csi/keys";
    /// <summary>--metrics-address=HOST:PORT: Prometheus metrics at http://HOST:PORT/metrics (off when null).</summary>
    public System.Net.IPEndPoint? MetricsAddress { get; private set; }
    public bool ShowVersion { get; private set; }
    public bool ShowHelp { get; private set; }
    public List<string> IgnoredFlagsSeen { get; } = [];

    /// <summary>The Unix socket path of <see cref="Endpoint"/> (<c>unix:///csi/csi.sock</c> → <c>/csi/csi.sock</c>).</summary>
    public string SocketPath
    {
        get
        {
            string path = Endpoint.StartsWith("unix://", StringComparison.Ordinal) ? Endpoint["unix://".Length..]
                : Endpoint.StartsWith("unix:", StringComparison.Ordinal) ? Endpoint["unix:".Length..]
                : Endpoint;
            return path;
        }
    }

    /// <summary>Both services run when neither is asked for, as ceph-csi does.</summary>
    public bool RunsController => ControllerServer || !NodeServer;
    public bool RunsNode => NodeServer || !ControllerServer;

    public static PluginOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PluginOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith('-') || arg is "-" or "--")
                throw new FormatException($"unexpected argument '{arg}' (flags look like --name=value)");
            string body = arg.TrimStart('-');
            string name = body, value;
            int eq = body.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                name = body[..eq];
                value = body[(eq + 1)..];
            }
            else if (BoolFlags.Contains(name))
            {
                value = "true";
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new FormatException($"flag --{name} needs a value");
            }
            options.Set(name, value);
        }
        options.Validate();
        return options;
    }

    private void Set(string name, string value)
    {
        switch (name)
        {
            case "type": Type = value; break;
            case "endpoint": Endpoint = value; break;
            case "nodeid": NodeId = value; break;
            case "drivername": DriverName = value; break;
            case "nodeserver": NodeServer = Bool(name, value); break;
            case "controllerserver": ControllerServer = Bool(name, value); break;
            case "instanceid": InstanceId = value; break;
            case "config-file" or "configfile": ConfigFile = value; break;
            case "ceph-conf" or "cephconf": CephConf = value; break;
            case "fuse-mounter-binary": FuseMounterBinary = value; break;
            case "forcecephkernelclient": ForceKernelClient = Bool(name, value); break;
            case "keys-dir": KeysDirectory = value; break;
            case "metrics-address":
                MetricsAddress = System.Net.IPEndPoint.TryParse(value.StartsWith("localhost:", StringComparison.Ordinal) ? "127.0.0.1" + value[9..] : value, out var address) && value.Contains(':', StringComparison.Ordinal)
                    ? address
                    : throw new FormatException($"--metrics-address={value}: expected HOST:PORT (an IP address or localhost)");
                break;
            case "version": ShowVersion = Bool(name, value); break;
            case "help" or "h": ShowHelp = true; break;
            default:
                if (!IgnoredFlags.Contains(name))
                    throw new FormatException($"unknown flag --{name} (see --help)");
                IgnoredFlagsSeen.Add(name);
                break;
        }
    }

    private void Validate()
    {
        if (ShowVersion || ShowHelp)
            return;
        if (Type != "cephfs")
            throw new FormatException($"--type={Type} is not supported: this driver serves only --type=cephfs");
        if (string.IsNullOrWhiteSpace(DriverName))
            throw new FormatException("--drivername must not be empty");
        if (!Path.IsPathRooted(SocketPath) || !Endpoint.StartsWith("unix:", StringComparison.Ordinal))
            throw new FormatException($"--endpoint={Endpoint}: only unix:///absolute/path endpoints are supported");
        if (RunsNode && string.IsNullOrWhiteSpace(NodeId))
            throw new FormatException("--nodeid is required for the node server");
        if (string.IsNullOrWhiteSpace(InstanceId))
            throw new FormatException("--instanceid must not be empty");
    }

    private static bool Bool(string name, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "t" => true,
        "false" or "0" or "f" => false,
        _ => throw new FormatException($"--{name}={value}: expected true or false"),
    };

    public const string Usage = """
        usage: cephcsi --type=cephfs [flags]
          --endpoint=unix:///csi/csi.sock     CSI endpoint (Unix socket, absolute path)
          --nodeid=NAME                       this node's id (required with --nodeserver)
          --drivername=NAME                   CSI driver name (default cephfs.csi.ceph.com)
          --nodeserver[=true]                 serve Identity and Node
          --controllerserver[=true]           serve Identity and Controller (neither flag: both)
          --instanceid=ID                     journal instance id (default "default": csi.volumes.default)
          --config-file=PATH                  cluster config (default /etc/ceph-csi-config/config.json)
          --ceph-conf=PATH                    ceph.conf handed to mounts (default /etc/ceph/ceph.conf;
                                              written with cephx and no monitors when missing)
          --fuse-mounter-binary=PATH          the fuse mounter (default: managed-cephfuse next to cephcsi)
          --forcecephkernelclient             allow the kernel mounter whatever the kernel version
          --keys-dir=PATH                     where temporary 0600 key files live (default /tmp/csi/keys)
          --metrics-address=HOST:PORT         Prometheus metrics (RPC counts, latencies) at http://HOST:PORT/metrics
          --version                           print the version and exit
        """;
}
