using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// Talks to a Ceph-style admin socket: the request and a NUL, the answer as a 4-byte big-endian length and the
/// payload. Used to forward commands to libcephfs's own socket and by <c>managed-cephfuse daemon PATH …</c>.
/// </summary>
internal static class AdminSocketClient
{
    /// <summary>Sends <paramref name="request"/>; the answer, or null when nobody answers there.</summary>
    public static byte[]? TrySend(string path, ReadOnlySpan<byte> request, TimeSpan timeout)
    {
        try
        {
            return Send(path, request, timeout);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="request"/> and returns the answer (throws SocketException/IOException).</summary>
    public static byte[] Send(string path, ReadOnlySpan<byte> request, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = socket.SendTimeout = (int)timeout.TotalMilliseconds;
        socket.Connect(new UnixDomainSocketEndPoint(path));
        byte[] message = new byte[request.Length + 1];
        request.CopyTo(message);
        socket.Send(message);
        Span<byte> header = stackalloc byte[4];
        Receive(socket, header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > 256 << 20)
            throw new IOException($"admin socket answer of {length} bytes");
        byte[] body = new byte[length];
        Receive(socket, body);
        return body;
    }

    private static void Receive(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = socket.Receive(buffer);
            if (n == 0)
                throw new IOException("the admin socket closed the connection before the whole answer");
            buffer = buffer[n..];
        }
    }

    /// <summary>
    /// <c>managed-cephfuse daemon PATH perf dump [logger]</c>: the words become a JSON command the way
    /// <c>ceph --admin-daemon</c> builds it — the longest known prefix from the daemon's command descriptions, the
    /// remaining words its arguments in order. Prints the answer; exit 0, or 1 with a one-line error.
    /// </summary>
    public static int Run(string path, IReadOnlyList<string> words, TextWriter output, TextWriter error)
    {
        if (words.Count == 0)
        {
            error.WriteLine("managed-cephfuse daemon: usage: managed-cephfuse daemon SOCKET COMMAND [ARGS...] (try 'help')");
            return 1;
        }
        var timeout = TimeSpan.FromSeconds(30);
        try
        {
            byte[] descriptions = Send(path, "{\"prefix\": \"get_command_descriptions\"}"u8, timeout);
            byte[]? request = BuildCommand(descriptions, words, out string problem);
            if (request is null)
            {
                error.WriteLine($"managed-cephfuse daemon: {problem}");
                return 1;
            }
            byte[] answer = Send(path, request, timeout);
            string text = Encoding.UTF8.GetString(answer);
            if (text.StartsWith("ERROR:", StringComparison.Ordinal))
            {
                error.Write(text);
                return 1;
            }
            output.Write(text);
            return 0;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            error.WriteLine($"managed-cephfuse daemon: {path}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The JSON command for <paramref name="words"/>, or null with the reason.</summary>
    internal static byte[]? BuildCommand(byte[] descriptions, IReadOnlyList<string> words, out string problem)
    {
        problem = "";
        JsonElement? best = null;
        int bestLiterals = 0;
        using JsonDocument document = JsonDocument.Parse(descriptions);
        foreach (JsonProperty command in document.RootElement.EnumerateObject())
        {
            if (!command.Value.TryGetProperty("sig", out JsonElement sig))
                continue;
            int literals = 0;
            bool matches = true;
            foreach (JsonElement part in sig.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.String)
                    break;
                if (literals >= words.Count || part.GetString() != words[literals])
                {
                    matches = false;
                    break;
                }
                literals++;
            }
            if (matches && literals > bestLiterals)
            {
                best = sig.Clone();
                bestLiterals = literals;
            }
        }
        if (best is not { } signature)
        {
            problem = $"unknown command '{string.Join(' ', words)}' (try 'help')";
            return null;
        }
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("prefix", string.Join(' ', words.Take(bestLiterals)));
            int next = bestLiterals;
            foreach (JsonElement part in signature.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("name", out JsonElement name))
                    continue;
                bool many = part.TryGetProperty("n", out JsonElement n) && n.GetString() == "N";
                bool required = !part.TryGetProperty("req", out JsonElement req) || req.GetString() != "false";
                if (next >= words.Count)
                {
                    if (required)
                    {
                        problem = $"missing argument <{name.GetString()}> for '{string.Join(' ', words.Take(bestLiterals))}'";
                        return null;
                    }
                    break;
                }
                if (many)
                {
                    writer.WriteStartArray(name.GetString()!);
                    while (next < words.Count)
                        writer.WriteStringValue(words[next++]);
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteString(name.GetString()!, words[next++]);
                }
            }
            if (next < words.Count)
            {
                problem = $"too many arguments for '{string.Join(' ', words.Take(bestLiterals))}': {string.Join(' ', words.Skip(next))}";
                return null;
            }
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }
}
