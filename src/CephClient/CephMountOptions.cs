namespace ManagedCephFuse.CephClient;

/// <summary>
/// Everything <see cref="CephMount.Connect"/> needs. Credentials are given as files (never as the key itself),
/// so the secret does not sit in the client's configuration.
/// </summary>
public sealed class CephMountOptions
{
    /// <summary>The client id without "client." (e.g. "admin"); null lets libcephfs pick (the pid).</summary>
    public string? Id { get; init; }

    /// <summary>A ceph.conf to read first; null reads none (everything else comes from the options here).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>mon_host, e.g. "[v2:127.0.0.1:3300,v1:127.0.0.1:6789]"; null keeps the config file's.</summary>
    public string? MonHost { get; init; }

    /// <summary>A file holding only the base64 secret (the <c>keyfile</c> option).</summary>
    public string? KeyFile { get; init; }

    /// <summary>A keyring file (the <c>keyring</c> option).</summary>
    public string? Keyring { get; init; }

    /// <summary>The file system to mount; null mounts the default one.</summary>
    public string? FileSystem { get; init; }

    /// <summary>The directory of the file system that becomes the mount's root.</summary>
    public string Root { get; init; } = "/";

    /// <summary>Upper bound for reaching the monitors and authenticating (<c>client_mount_timeout</c>).</summary>
    public TimeSpan MountTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where this client's admin socket goes (<c>admin_socket</c>; <c>$name</c>, <c>$pid</c> and
    /// <c>$cctid</c> expand); null keeps the config file's. Give each mount of a process its own.</summary>
    public string? AdminSocket { get; init; }

    /// <summary>Further configuration options (name → value), applied after the config file.</summary>
    public IReadOnlyDictionary<string, string>? Options { get; init; }

    /// <summary>Command-line style options ("--name=value", "--name value"), applied last.</summary>
    public IReadOnlyList<string>? Arguments { get; init; }
}
