using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ManagedCephFuse.CephClient.Admin;

/// <summary>
/// Builds one mon/mgr JSON command (<c>{"prefix": "fs subvolume create", "vol_name": …}</c>) and a short
/// human description of it for error messages. Arguments are never secret.
/// </summary>
internal sealed class CephCommand : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;
    private readonly StringBuilder _describe;

    public CephCommand(string prefix)
    {
        _writer = new Utf8JsonWriter(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("prefix", prefix);
        _describe = new StringBuilder(prefix);
    }

    public CephCommand Add(string name, string? value)
    {
        if (value is not null)
        {
            _writer.WriteString(name, value);
            _describe.Append(' ').Append(name).Append('=').Append(value);
        }
        return this;
    }

    public CephCommand Add(string name, long? value)
    {
        if (value is { } v)
        {
            _writer.WriteNumber(name, v);
            _describe.Append(' ').Append(name).Append('=').Append(v);
        }
        return this;
    }

    public CephCommand Add(string name, bool value)
    {
        if (value)
        {
            _writer.WriteBoolean(name, true);
            _describe.Append(" --").Append(name);
        }
        return this;
    }

    public CephCommand Json()
    {
        _writer.WriteString("format", "json");
        return this;
    }

    public string Description => _describe.ToString();

    public string Build()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _writer.Dispose();
}
