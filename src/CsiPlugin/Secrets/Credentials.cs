using System.Security.Cryptography;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Secrets;

/// <summary>
/// A cephx id and secret taken from a request's secrets (<c>adminID</c>/<c>adminKey</c> for the controller,
/// <c>userID</c>/<c>userKey</c> for the node). The key never appears in logs, messages or command lines.
/// </summary>
internal sealed class Credentials
{
    private Credentials(string id, string key)
    {
        Id = id;
        Key = key;
    }

    public string Id { get; }
    public string Key { get; }

    public static Credentials Admin(IReadOnlyDictionary<string, string> secrets) => From(secrets, "adminID", "adminKey");

    public static Credentials User(IReadOnlyDictionary<string, string> secrets) => From(secrets, "userID", "userKey");

    private static Credentials From(IReadOnlyDictionary<string, string> secrets, string idField, string keyField)
    {
        if (!secrets.TryGetValue(idField, out var id) || string.IsNullOrWhiteSpace(id))
            throw CoreException.InvalidInput($"missing ID field '{idField}' in secrets");
        if (!secrets.TryGetValue(keyField, out var key) || string.IsNullOrWhiteSpace(key))
            throw CoreException.InvalidInput($"missing key field '{keyField}' in secrets");
        // ceph-csi accepts "client.x" as well as "x"
        if (id.StartsWith("client.", StringComparison.Ordinal))
            id = id["client.".Length..];
        return new Credentials(id, key.Trim());
    }

    /// <summary>Writes the key to a new 0600 file in <paramref name="directory"/>; disposing removes it.</summary>
    public KeyFile WriteKeyFile(string directory) => KeyFile.Create(directory, Key);

    public override string ToString() => $"client.{Id}";
}

/// <summary>A temporary key file (mode 0600, created exclusively); removed on dispose, whatever happened.</summary>
internal sealed class KeyFile : IDisposable
{
    private KeyFile(string path) => Path = path;

    public string Path { get; }

    public static KeyFile Create(string directory, string key)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = System.IO.Path.Combine(directory, "keyfile-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(key);
        return new KeyFile(path);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // already gone
        }
    }
}
