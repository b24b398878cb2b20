using Csi.V1;
using Grpc.Core;
using ManagedCephFuse.CsiPlugin.Config;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>CSI Identity: the driver's name and version, its capabilities, and readiness.</summary>
internal sealed class IdentityService(PluginOptions options) : Identity.IdentityBase
{
    public override Task<GetPluginInfoResponse> GetPluginInfo(GetPluginInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetPluginInfoResponse { Name = options.DriverName, VendorVersion = PluginVersion.Text });

    public override Task<GetPluginCapabilitiesResponse> GetPluginCapabilities(GetPluginCapabilitiesRequest request,
        ServerCallContext context)
    {
        var response = new GetPluginCapabilitiesResponse();
        if (options.RunsController)
        {
            response.Capabilities.Add(new PluginCapability
            {
                Service = new PluginCapability.Types.Service { Type = PluginCapability.Types.Service.Types.Type.ControllerService },
            });
        }
        response.Capabilities.Add(new PluginCapability
        {
            VolumeExpansion = new PluginCapability.Types.VolumeExpansion
            {
                Type = PluginCapability.Types.VolumeExpansion.Types.Type.Online,
            },
        });
        return Task.FromResult(response);
    }

    public override Task<ProbeResponse> Probe(ProbeRequest request, ServerCallContext context) =>
        Task.FromResult(new ProbeResponse { Ready = true });
}
