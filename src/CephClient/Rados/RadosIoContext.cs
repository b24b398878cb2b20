using System.Text;

namespace ManagedCephFuse.CephClient.Rados;

/// <summary>
/// An I/O context (<c>rados_ioctx_t</c>) on one pool and RADOS namespace: object creation and removal and
/// omap key/value access through read/write operations, and compound versioned reads and writes. Keys and values are UTF-8 text, as the CSI journal
/// stores them. Not to be used from several threads at once (the namespace is per context).
/// </summary>
public sealed unsafe class RadosIoContext : IDisposable
{
    private const int OmapPageSize = 1024;
    private readonly RadosIoContextHandle _handle;

    internal RadosIoContext(RadosIoContextHandle handle, string pool)
    {
        _handle = handle;
        Pool = pool;
    }

    public string Pool { get; }

    /// <summary>The RADOS namespace objects are addressed in; empty for the default one.</summary>
    public string Namespace { get; private set; } = string.Empty;

    public void SetNamespace(string? radosNamespace)
    {
        RadosNative.IoCtxSetNamespace(_handle, string.IsNullOrEmpty(radosNamespace) ? null : radosNamespace);
        Namespace = radosNamespace ?? string.Empty;
    }

    /// <summary>Creates an empty object; with <paramref name="exclusive"/> an existing one fails with EEXIST.</summary>
    public void CreateObject(string oid, bool exclusive)
    {
        using var op = RadosNative.CreateWriteOp();
        RadosNative.WriteOpCreate(op, exclusive ? RadosNative.CreateExclusive : 0, null);
        Operate(op, oid, "rados_write_op_operate(create)");
    }

    /// <summary>Removes an object with its omap; ENOENT when it does not exist.</summary>
    public void RemoveObject(string oid)
    {
        int rc = RadosNative.Remove(_handle, oid);
        if (rc < 0)
            throw new CephException(-rc, "rados_remove", Describe(oid));
    }

    /// <summary>Sets omap keys (creating the object when it does not exist).</summary>
    public void SetOmapValues(string oid, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var keys = new List<string>(values.Count);
        var vals = new List<string>(values.Count);
        foreach (var (key, value) in values)
        {
            keys.Add(key);
            vals.Add(value);
        }
        using var keyArray = new NativeStringArray(keys);
        using var valArray = new NativeStringArray(vals);
        using var op = RadosNative.CreateWriteOp();
        RadosNative.WriteOpOmapSet2(op, keyArray.Pointers, valArray.Pointers, keyArray.Lengths, valArray.Lengths,
            keyArray.Count);
        Operate(op, oid, "rados_write_op_operate(omap_set)");
    }

    /// <summary>Removes omap keys; keys that are not there are ignored, a missing object is ENOENT.</summary>
    public void RemoveOmapKeys(string oid, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var keyArray = new NativeStringArray(keys);
        using var op = RadosNative.CreateWriteOp();
        RadosNative.WriteOpOmapRmKeys2(op, keyArray.Pointers, keyArray.Lengths, keyArray.Count);
        Operate(op, oid, "rados_write_op_operate(omap_rm_keys)");
    }

    /// <summary>The values of the given keys that exist; a missing object is ENOENT.</summary>
    public Dictionary<string, string> GetOmapValues(string oid, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var keyArray = new NativeStringArray(keys);
        using var op = RadosNative.CreateReadOp();
        int prval = 0;
        RadosNative.ReadOpOmapGetValsByKeys2(op, keyArray.Pointers, keyArray.Count, keyArray.Lengths, out nint iter, &prval);
        using var iterator = new RadosOmapIteratorHandle(iter);
        Operate(op, oid, "rados_read_op_operate(omap_get_vals_by_keys)", prval: &prval);
        Drain(iterator, result);
        return result;
    }

    /// <summary>All omap entries whose keys start with <paramref name="prefix"/> (paged); a missing object is ENOENT.</summary>
    public Dictionary<string, string> GetOmapValues(string oid, string prefix = "")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string after = string.Empty;
        while (true)
        {
            using var op = RadosNative.CreateReadOp();
            int prval = 0;
            byte more = 0;
            RadosNative.ReadOpOmapGetVals2(op, after, prefix ?? string.Empty, OmapPageSize, out nint iter, &more, &prval);
            using var iterator = new RadosOmapIteratorHandle(iter);
            Operate(op, oid, "rados_read_op_operate(omap_get_vals)", prval: &prval);
            string? last = Drain(iterator, result);
            if (more == 0 || last is null)
                return result;
            after = last;
        }
    }

    /// <summary>The version of the object the last operation on this context touched (for <c>AssertVersion</c>).</summary>
    public ulong LastVersion => RadosNative.GetLastVersion(_handle);

    /// <summary>An extended attribute of at most <paramref name="maxLength"/> bytes; ENOENT (object or attribute missing) throws.</summary>
    public byte[] GetXattr(string oid, string name, int maxLength)
    {
        var buffer = new byte[maxLength];
        int rc;
        fixed (byte* p = buffer)
            rc = RadosNative.GetXattr(_handle, oid, name, p, (nuint)buffer.Length);
        if (rc < 0)
            throw new CephException(-rc, "rados_getxattr", $"{Describe(oid)} {name}");
        return buffer.AsSpan(0, rc).ToArray();
    }

    /// <summary>
    /// Reads the first <paramref name="length"/> bytes of an object and the values of <paramref name="keys"/> in one
    /// operation, failing (ERANGE, EOVERFLOW) when the object is no longer at <paramref name="version"/>.
    /// </summary>
    public (byte[] Data, Dictionary<string, string> Omap) Read(string oid, int length, IReadOnlyList<string> keys, ulong version)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var data = new byte[length];
        var omap = new Dictionary<string, string>(StringComparer.Ordinal);
        using var keyArray = new NativeStringArray(keys);
        using var op = RadosNative.CreateReadOp();
        int readPrval = 0, omapPrval = 0;
        nuint bytesRead = 0;
        fixed (byte* buffer = data)
        {
            RadosNative.ReadOpAssertVersion(op, version);
            RadosNative.ReadOpRead(op, 0, (nuint)length, buffer, &bytesRead, &readPrval);
            RadosNative.ReadOpOmapGetValsByKeys2(op, keyArray.Pointers, keyArray.Count, keyArray.Lengths, out nint iter, &omapPrval);
            using var iterator = new RadosOmapIteratorHandle(iter);
            Operate(op, oid, "rados_read_op_operate(read, omap_get_vals_by_keys)", prval: &readPrval);
            if (omapPrval < 0)
                throw new CephException(-omapPrval, "rados_read_op_omap_get_vals_by_keys2", Describe(oid));
            Drain(iterator, omap);
        }
        return (data.AsSpan(0, (int)bytesRead).ToArray(), omap);
    }

    /// <summary>Applies <paramref name="write"/> to <paramref name="oid"/> atomically (all of it or nothing).</summary>
    public void Operate(string oid, RadosWriteOperation write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Operate(write.Handle, oid, "rados_write_op_operate");
    }

    public void Dispose() => _handle.Dispose();

    private static string? Drain(RadosOmapIteratorHandle iterator, Dictionary<string, string> into)
    {
        string? last = null;
        while (true)
        {
            byte* key = null, val = null;
            nuint keyLen = 0, valLen = 0;
            int rc = RadosNative.OmapGetNext2(iterator, &key, &val, &keyLen, &valLen);
            if (rc < 0)
                throw new CephException(-rc, "rados_omap_get_next2");
            if (key == null)
                return last;
            last = Encoding.UTF8.GetString(key, checked((int)keyLen));
            into[last] = val == null ? string.Empty : Encoding.UTF8.GetString(val, checked((int)valLen));
        }
    }

    private void Operate(RadosWriteOpHandle op, string oid, string call)
    {
        int rc = RadosNative.WriteOpOperate(op, _handle, oid, null, RadosNative.OperationNoFlag);
        if (rc < 0)
            throw new CephException(-rc, call, Describe(oid));
    }

    private void Operate(RadosReadOpHandle op, string oid, string call, int* prval)
    {
        int rc = RadosNative.ReadOpOperate(op, _handle, oid, RadosNative.OperationNoFlag);
        if (rc >= 0 && *prval < 0)
            rc = *prval;
        if (rc < 0)
            throw new CephException(-rc, call, Describe(oid));
    }

    private string Describe(string oid) =>
        Namespace.Length == 0 ? $"{Pool}/{oid}" : $"{Pool}/{Namespace}/{oid}";
}
