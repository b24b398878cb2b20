using Csi.V1;
using Mode = Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>Request checks shared by the services (ceph-csi's csi-common validators).</summary>
internal static class Validation
{
    public static string Require(string value, string field, string rpc) =>
        string.IsNullOrEmpty(value) ? throw CsiErrors.InvalidArgument($"{rpc}: {field} is required") : value;

    /// <summary>Why CephFS cannot serve <paramref name="capability"/>, or null when it can.</summary>
    public static string? Problem(VolumeCapability capability)
    {
        if (capability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
            return "block access is not supported by CephFS volumes";
        if (capability.AccessTypeCase != VolumeCapability.AccessTypeOneofCase.Mount)
            return "an access type (mount) is required";
        if (capability.AccessMode is null)
            return "an access mode is required";
        return capability.AccessMode.Mode switch
        {
            Mode.SingleNodeWriter or Mode.SingleNodeReaderOnly or Mode.MultiNodeReaderOnly or
                Mode.MultiNodeSingleWriter or Mode.MultiNodeMultiWriter => null,
            Mode.Unknown => "the access mode is UNKNOWN",
            var mode => $"access mode {mode} is not supported",
        };
    }

    public static void RequireCapability(VolumeCapability? capability, string rpc)
    {
        if (capability is null)
            throw CsiErrors.InvalidArgument($"{rpc}: volume_capability is required");
        if (Problem(capability) is { } problem)
            throw CsiErrors.InvalidArgument($"{rpc}: {problem}");
    }

    public static bool IsReadOnly(VolumeCapability capability) =>
        capability.AccessMode?.Mode is Mode.SingleNodeReaderOnly or Mode.MultiNodeReaderOnly;

    /// <summary>Banned characters for names (the spec's control characters).</summary>
    public static void RequireName(string name, string rpc)
    {
        Require(name, "name", rpc);
        foreach (char c in name)
        {
            if (c is (>= '\u0000' and <= '\u0008') or '\u000B' or '\u000C' or (>= '\u000E' and <= '\u001F') or (>= '\u007F' and <= '\u009F'))
                throw CsiErrors.InvalidArgument($"{rpc}: name contains a control character");
        }
    }
}
