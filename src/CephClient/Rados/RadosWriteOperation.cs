namespace ManagedCephFuse.CephClient.Rados;

/// <summary>
/// A compound write (<c>rados_write_op_t</c>) built step by step and applied atomically by
/// <see cref="RadosIoContext.Operate(string, RadosWriteOperation)"/>: create, version assertion, extended
/// attribute, whole-object data, omap keys, removal. librados copies every buffer as it is added.
/// </summary>
public sealed unsafe class RadosWriteOperation : IDisposable
{
    internal RadosWriteOpHandle Handle { get; } = RadosNative.CreateWriteOp();

    /// <summary>Creates the object; fails with EEXIST when it exists.</summary>
    public RadosWriteOperation CreateExclusive()
    {
        RadosNative.WriteOpCreate(Handle, RadosNative.CreateExclusive, null);
        return this;
    }

    /// <summary>Fails the whole operation (ERANGE, EOVERFLOW) unless the object is at <paramref name="version"/>.</summary>
    public RadosWriteOperation AssertVersion(ulong version)
    {
        RadosNative.WriteOpAssertVersion(Handle, version);
        return this;
    }

    public RadosWriteOperation SetXattr(string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            RadosNative.WriteOpSetXattr(Handle, name, p, (nuint)value.Length);
        return this;
    }

    /// <summary>Replaces the object's data with <paramref name="data"/>.</summary>
    public RadosWriteOperation WriteFull(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
            RadosNative.WriteOpWriteFull(Handle, p, (nuint)data.Length);
        return this;
    }

    public RadosWriteOperation SetOmap(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            return this;
        using var keys = new NativeStringArray([.. values.Keys]);
        using var vals = new NativeStringArray([.. values.Values]);
        RadosNative.WriteOpOmapSet2(Handle, keys.Pointers, vals.Pointers, keys.Lengths, vals.Lengths, keys.Count);
        return this;
    }

    public RadosWriteOperation RemoveOmapKeys(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
            return this;
        using var array = new NativeStringArray(keys);
        RadosNative.WriteOpOmapRmKeys2(Handle, array.Pointers, array.Lengths, array.Count);
        return this;
    }

    /// <summary>Removes the object with its omap and attributes.</summary>
    public RadosWriteOperation Remove()
    {
        RadosNative.WriteOpRemove(Handle);
        return this;
    }

    public void Dispose() => Handle.Dispose();
}
