using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// <c>--metrics-address HOST:PORT</c>: a minimal HTTP/1.1 server answering <c>GET /metrics</c> with the
/// Prometheus text format (<see cref="PrometheusExporter"/>); everything else gets 404 or 405. One thread, one
/// scrape at a time, bounded reads, <c>Connection: close</c>. A web framework (Kestrel) or HttpListener would
/// add megabytes to a Native AOT daemon that needs one GET.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    private const int MaxRequestHead = 8192;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly Func<string> _render;
    private readonly ILogger _log;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private MetricsEndpoint(Socket listener, Func<string> render, ILogger log)
    {
        _listener = listener;
        _render = render;
        _log = log;
        Address = (IPEndPoint)listener.LocalEndPoint!;
        _thread = new Thread(AcceptLoop) { IsBackground = true, Name = "metrics-http" };
        _thread.UnsafeStart();
    }

    /// <summary>Where it listens (the real port when 0 was asked for).</summary>
    public IPEndPoint Address { get; }

    /// <summary>HOST:PORT (an IP address, [IPv6]:PORT, or localhost) → the endpoint, or null.</summary>
    public static IPEndPoint? Parse(string text)
    {
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
            text = "127.0.0.1" + text["localhost".Length..];
        return IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && text.Contains(':', StringComparison.Ordinal) ? endpoint : null;
    }

    /// <summary>Listens at <paramref name="address"/>; null with a logged warning when that fails.</summary>
    public static MetricsEndpoint? Start(IPEndPoint address, Func<string> render, ILogger log)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(address);
            listener.Listen(16);
            return new MetricsEndpoint(listener, render, log);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            log.MetricsEndpointFailed(address.ToString(), e.Message);
            return null;
        }
    }

    private void AcceptLoop() => SocketAcceptLoop.Run(_listener, Serve, () => _stopping, _log);

    private void Serve(Socket client)
    {
        client.ReceiveTimeout = client.SendTimeout = (int)ClientTimeout.TotalMilliseconds;
        byte[] head = new byte[MaxRequestHead];
        int length = 0;
        while (head.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0)
        {
            if (length == head.Length)
            {
                Respond(client, "431 Request Header Fields Too Large", "text/plain", "request head too large\n");
                return;
            }
            int n = client.Receive(head.AsSpan(length));
            if (n == 0)
                return;
            length += n;
        }
        string requestLine = Encoding.ASCII.GetString(head, 0, head.AsSpan(0, length).IndexOf("\r\n"u8));
        string[] parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            Respond(client, "400 Bad Request", "text/plain", "bad request\n");
            return;
        }
        string path = parts[1].Split('?')[0];
        if (path != "/metrics")
            Respond(client, "404 Not Found", "text/plain", "only /metrics here\n");
        else if (parts[0] is not ("GET" or "HEAD"))
            Respond(client, "405 Method Not Allowed", "text/plain", "GET /metrics\n");
        else
            Respond(client, "200 OK", Shared.PrometheusText.ContentType, _render(), headOnly: parts[0] == "HEAD");
    }

    private static void Respond(Socket client, string status, string contentType, string body, bool headOnly = false)
    {
        byte[] payload = Encoding.UTF8.GetBytes(body);
        string header = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
        client.Send(Encoding.ASCII.GetBytes(header));
        if (!headOnly)
            client.Send(payload);
        client.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
