using System.Reflection;

namespace ManagedCephFuse.CsiPlugin.Config;

/// <summary>The plugin's version (from the assembly, i.e. Directory.Build.props).</summary>
internal static class PluginVersion
{
    public static string Text { get; } =
        typeof(PluginVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(PluginVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
