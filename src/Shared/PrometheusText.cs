using System.Globalization;
using System.Text;

namespace ManagedCephFuse.Shared;

/// <summary>
/// The Prometheus text exposition format (version 0.0.4), written by hand: HELP and TYPE once per family, then
/// samples with escaped label values. Shared (linked) by managed-cephfuse and cephcsi; both are Native AOT, and
/// their metrics already live in their own lock-free counters or a MeterListener, so no client library is needed
/// to mirror them.
/// </summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(16 * 1024);
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Starts a metric family (once; later calls with the same name are ignored).</summary>
    public PrometheusText Family(string name, string type, string help)
    {
        if (_families.Add(name))
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }
        return this;
    }

    /// <summary>One sample: <paramref name="labels"/> are name/value pairs (values escaped here).</summary>
    public PrometheusText Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                    _text.Append(',');
                _text.Append(labels[i].Name).Append("=\"");
                foreach (char c in labels[i].Value)
                {
                    _ = c switch
                    {
                        '\\' => _text.Append("\\\\"),
                        '"' => _text.Append("\\\""),
                        '\n' => _text.Append("\\n"),
                        _ => _text.Append(c),
                    };
                }
                _text.Append('"');
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>A float as Prometheus reads it (+Inf, -Inf, NaN; shortest round-trip form otherwise).</summary>
    public static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" :
        double.IsNegativeInfinity(value) ? "-Inf" :
        double.IsNaN(value) ? "NaN" :
        value.ToString("R", CultureInfo.InvariantCulture);

    public override string ToString() => _text.ToString();
}
