using System.Globalization;
using System.Text;

namespace ManagedCephFuse.CephClient.Rados;

/// <summary>
/// One librados client session (<c>rados_t</c>): mon and mgr commands, pool look-ups and I/O contexts.
/// Thread-safe, as librados is. Dispose shuts the session down once its I/O contexts are gone.
/// </summary>
public sealed unsafe class RadosCluster : IDisposable
{
    private readonly RadosClusterHandle _handle;
    private readonly TimeSpan _commandTimeout;

    private RadosCluster(RadosClusterHandle handle, string entityName, TimeSpan commandTimeout)
    {
        _handle = handle;
        EntityName = entityName;
        _commandTimeout = commandTimeout;
    }

    /// <summary>The entity this session authenticated as, e.g. <c>client.admin</c>.</summary>
    public string EntityName { get; }

    /// <summary>
    /// Creates a session and connects. A wrong monitor fails with ETIMEDOUT after
    /// <see cref="RadosOptions.ConnectTimeout"/>; a wrong key fails at once (EACCES/EPERM).
    /// </summary>
    public static RadosCluster Connect(RadosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string entity = options.EntityName;
        int rc = RadosNative.Create2(out RadosClusterHandle handle, "ceph", entity, 0);
        if (rc < 0)
        {
            handle.Dispose();
            throw new CephException(-rc, "rados_create2", entity);
        }
        try
        {
            if (options.ConfPath is { } conf)
                CephException.ThrowIfError(RadosNative.ConfReadFile(handle, conf), "rados_conf_read_file", conf);
            string connectSeconds = Seconds(options.ConnectTimeout);
            string opSeconds = Seconds(options.OperationTimeout);
            Set(handle, "client_mount_timeout", connectSeconds);
            // Not rados_mon_op_timeout: in Pacific a timed-out rados_mgr_command leaves the mgr client holding
            // pointers into the caller's returned stack frame, and the late answer crashes the process. Commands
            // are bounded by Command() instead.
            Set(handle, "rados_mon_op_timeout", "0");
            Set(handle, "rados_osd_op_timeout", opSeconds);
            if (options.MonHost is { Length: > 0 } mons)
                Set(handle, "mon_host", mons);
            if (options.KeyFile is { Length: > 0 } keyFile)
                Set(handle, "keyfile", keyFile);
            if (options.Key is { Length: > 0 } key)
            {
                // the value is secret: keep it out of the exception text
                int keyRc = RadosNative.ConfSet(handle, "key", key);
                if (keyRc < 0)
                    throw new CephException(-keyRc, "rados_conf_set", "key=<secret>");
            }
            if (options.Settings is { } settings)
            {
                foreach (var (name, value) in settings)
                    Set(handle, name, value);
            }
            rc = RadosNative.Connect(handle);
            if (rc < 0)
                throw new CephException(-rc, "rados_connect", $"{entity} mon_host={options.MonHost ?? "(from conf)"}",
                    ConnectHint(-rc, options.ConnectTimeout));
            return new RadosCluster(handle, entity, options.OperationTimeout);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sends a JSON command to the monitors; throws <see cref="CephException"/> on a negative result.</summary>
    public RadosCommandResult MonCommand(string json, string? describe = null) =>
        Command(json, describe, mgr: false);

    /// <summary>Sends a JSON command to the active mgr (e.g. the volumes module's <c>fs subvolume …</c>).</summary>
    public RadosCommandResult MgrCommand(string json, string? describe = null) =>
        Command(json, describe, mgr: true);

    /// <summary>The id of a pool; ENOENT when there is none of that name.</summary>
    public long LookupPool(string pool)
    {
        long id = RadosNative.PoolLookup(_handle, pool);
        return id < 0 ? throw new CephException((int)-id, "rados_pool_lookup", pool) : id;
    }

    /// <summary>Opens an I/O context on <paramref name="pool"/>, optionally inside a RADOS namespace.</summary>
    public RadosIoContext OpenIoContext(string pool, string? radosNamespace = null)
    {
        var ioctx = new RadosIoContext(RadosIoContextHandle.Create(_handle, pool), pool);
        if (!string.IsNullOrEmpty(radosNamespace))
            ioctx.SetNamespace(radosNamespace);
        return ioctx;
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Runs the blocking librados call on a thread of its own and waits at most the operation timeout. On a
    /// timeout the caller gets ETIMEDOUT while the call finishes in the background with its buffers intact;
    /// the session stays open until then (the marshaller holds a reference on the handle during the call).
    /// </summary>
    private RadosCommandResult Command(string json, string? describe, bool mgr)
    {
        ArgumentNullException.ThrowIfNull(json);
        string call = mgr ? "rados_mgr_command" : "rados_mon_command";
        var pending = Task.Factory.StartNew(() => Invoke(json, mgr), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!pending.Wait(_commandTimeout))
            throw new CephException(Errno.ETIMEDOUT, call, describe ?? json,
                $"no answer within {_commandTimeout.TotalSeconds:0} s (is a {(mgr ? "mgr" : "mon")} up?)");
        var (rc, output, status) = pending.Result;
        if (rc < 0)
        {
            string detail = status.Length > 0 ? OneLine(status) : Errno.Message(-rc);
            throw new CephException(-rc, call, describe ?? json, detail);
        }
        return new RadosCommandResult(output, status);
    }

    private (int Rc, string Output, string Status) Invoke(string json, bool mgr)
    {
        byte[] command = new byte[Encoding.UTF8.GetByteCount(json) + 1];
        Encoding.UTF8.GetBytes(json, command);
        byte* outBuf = null, outs = null;
        nuint outBufLen = 0, outsLen = 0;
        int rc;
        fixed (byte* commandPtr = command)
        {
            byte** commands = stackalloc byte*[1];
            commands[0] = commandPtr;
            rc = mgr
                ? RadosNative.MgrCommand(_handle, commands, 1, null, 0, &outBuf, &outBufLen, &outs, &outsLen)
                : RadosNative.MonCommand(_handle, commands, 1, null, 0, &outBuf, &outBufLen, &outs, &outsLen);
        }
        return (rc, TakeBuffer(outBuf, outBufLen), TakeBuffer(outs, outsLen).Trim());
    }

    private static string TakeBuffer(byte* buffer, nuint length)
    {
        if (buffer == null)
            return string.Empty;
        try
        {
            return Encoding.UTF8.GetString(buffer, checked((int)length));
        }
        finally
        {
            RadosNative.BufferFree(buffer);
        }
    }

    private static void Set(RadosClusterHandle handle, string option, string value) =>
        CephException.ThrowIfError(RadosNative.ConfSet(handle, option, value), "rados_conf_set", $"{option}={value}");

    private static string Seconds(TimeSpan span) =>
        Math.Max(1, (int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string ConnectHint(int errno, TimeSpan timeout) => errno switch
    {
        Errno.ETIMEDOUT => $"no monitor answered within {timeout.TotalSeconds:0.#} s (wrong address or cluster down?)",
        Errno.EACCES or Errno.EPERM => "authentication failed (wrong key or unknown client id?)",
        Errno.EINVAL => "invalid configuration or malformed key",
        Errno.ENOENT => "no monitors configured (mon_host empty and no conf?)",
        _ => Errno.Message(errno),
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}

/// <summary>A command's answer: the output buffer (often JSON) and the status string.</summary>
public readonly record struct RadosCommandResult(string Output, string Status);
