using System.Net.Sockets;
using Csi.V1;
using Grpc.Net.Client;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>gRPC clients of a CSI plugin on a Unix socket, as kubelet and the sidecars connect.</summary>
internal sealed class CsiClient : IDisposable
{
    private readonly GrpcChannel _channel;

    public CsiClient(string socket)
    {
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellation) =>
                {
                    var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellation);
                    return new NetworkStream(unix, ownsSocket: true);
                },
            },
        });
        Identity = new Identity.IdentityClient(_channel);
        Controller = new Controller.ControllerClient(_channel);
    }

    public Identity.IdentityClient Identity { get; }
    public Controller.ControllerClient Controller { get; }

    /// <summary>Probes until the plugin answers ready (or the time is up, or <paramref name="alive"/> turns false).</summary>
    public async Task<ProbeResponse> WaitReadyAsync(string socket, Func<bool> alive, Func<string> log, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.True(alive(), $"the plugin exited before it answered Probe:\n{log()}");
            if (File.Exists(socket))
            {
                try
                {
                    var probe = await Identity.ProbeAsync(new ProbeRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                    if (probe.Ready is null || probe.Ready.Value)
                        return probe;
                }
                catch (Grpc.Core.RpcException e)
                {
                    last = e;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no ready Probe on {socket} ({last?.Message}):\n{log()}");
    }

    public void Dispose() => _channel.Dispose();
}
