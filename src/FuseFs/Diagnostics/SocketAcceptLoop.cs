using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// The accept loop of the daemon's small servers (admin socket, metrics endpoint): one client at a time, served
/// and closed; a client's socket or I/O error is logged and the loop goes on; it ends when the listener closes.
/// </summary>
internal static class SocketAcceptLoop
{
    public static void Run(Socket listener, Action<Socket> serve, Func<bool> stopping, ILogger log)
    {
        while (!stopping())
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // closed: the daemon is stopping
            }
            using (client)
            {
                try
                {
                    serve(client);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    log.AdminClientFailed(e.Message);
                }
            }
        }
    }
}
