namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>A CephFS subvolume: its file system, group and name (what every <c>fs subvolume</c> command names).</summary>
internal readonly record struct Subvolume(string FsName, string Group, string Name)
{
    public override string ToString() => $"{FsName}/{Group}/{Name}";
}
