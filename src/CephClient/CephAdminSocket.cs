using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// What a libcephfs client reports about itself on its admin socket (<c>status</c>): how many inodes and
/// dentries it caches. Inodes with ll references can never be trimmed, so a leak shows as an
/// <see cref="InodeCount"/> that never returns to its baseline.
/// </summary>
public sealed record CephClientStatus(
    long Id, string Instance, string FileSystem, long InodeCount, long DentryCount, long DentryPinnedCount,
    bool Blocklisted);

/// <summary>One inode of the client cache (<c>dump_cache</c>) and the ll references held on it.</summary>
public sealed record CephCachedInode(VInodeNo VInode, long LlRef, string? Path);

/// <summary>The admin socket protocol: a JSON command and a NUL; the answer is a big-endian length and JSON.</summary>
internal static class CephAdminSocket
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static string Command(string socketPath, string prefix)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = socket.SendTimeout = (int)Timeout.TotalMilliseconds;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            throw new CephException(Errno.ECONNREFUSED, "admin socket", $"\"{socketPath}\"",
                $"no admin socket there ({e.SocketErrorCode}); is 'admin_socket' set for this client?");
        }
        ReadOnlySpan<byte> request = CommandJson(prefix);
        while (!request.IsEmpty)
            request = request[socket.Send(request)..];
        Span<byte> header = stackalloc byte[4];
        ReceiveExactly(socket, header);
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        var body = new byte[length];
        ReceiveExactly(socket, body);
        return Encoding.UTF8.GetString(body);
    }

    public static CephClientStatus ParseStatus(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new CephClientStatus(
            root.GetProperty("id").GetInt64(),
            root.TryGetProperty("inst_str", out var inst) ? inst.GetString() ?? "" : "",
            root.TryGetProperty("fs_name", out var fs) ? fs.GetString() ?? "" : "",
            root.GetProperty("inode_count").GetInt64(),
            root.GetProperty("dentry_count").GetInt64(),
            root.GetProperty("dentry_pinned_count").GetInt64(),
            root.TryGetProperty("blocklisted", out var b) && b.ValueKind == JsonValueKind.True);
    }

    public static List<CephCachedInode> ParseCache(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var inodes = new List<CephCachedInode>();
        foreach (var item in doc.RootElement.GetProperty("cache").EnumerateArray())
        {
            if (!item.TryGetProperty("ino", out var ino) || !item.TryGetProperty("ll_ref", out var llRef))
                continue; // a dentry
            var vino = new VInodeNo(ParseHex(ino.GetString()), ParseSnapId(item.GetProperty("snapid").GetString()));
            string? path = item.TryGetProperty("path", out var p) ? p.GetString() : null;
            inodes.Add(new CephCachedInode(vino, llRef.GetInt64(), path));
        }
        return inodes;
    }

    private static ulong ParseHex(string? text) =>
        ulong.Parse(text.AsSpan(text!.StartsWith("0x", StringComparison.Ordinal) ? 2 : 0), NumberStyles.HexNumber,
            CultureInfo.InvariantCulture);

    // snapid_t prints as "head", "snapdir" or bare hex
    private static ulong ParseSnapId(string? text) => text switch
    {
        "head" => CephSnap.NoSnap,
        "snapdir" => CephSnap.SnapDir,
        _ => ParseHex(text),
    };

    private static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = socket.Receive(buffer);
            if (n == 0)
                throw new CephException(Errno.ECONNRESET, "admin socket", null, "connection closed mid-answer");
            buffer = buffer[n..];
        }
    }

    /// <summary><c>{"prefix":"…"}</c> and the terminating NUL, written without reflection (AOT).</summary>
    private static byte[] CommandJson(string prefix)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("prefix", prefix);
            writer.WriteEndObject();
        }
        buffer.Write([(byte)0]);
        return buffer.WrittenSpan.ToArray();
    }
}
