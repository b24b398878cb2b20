using System.Text;

namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>One line of <c>/proc/self/mountinfo</c>: where something is mounted, its type and source.</summary>
internal sealed record MountEntry(string MountPoint, string FsType, string Source, string Root);

/// <summary>Reads <c>/proc/self/mountinfo</c> (the kernel's own view; no <c>mount</c> binary involved).</summary>
internal static class MountInfo
{
    public static IReadOnlyList<MountEntry> Read(string file = "/proc/self/mountinfo")
    {
        var entries = new List<MountEntry>();
        foreach (string line in File.ReadLines(file))
        {
            // id parent major:minor root mount-point options [optional…] - fstype source super-options
            string[] fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-", 6);
            if (fields.Length < 10 || dash < 0 || dash + 2 >= fields.Length)
                continue;
            entries.Add(new MountEntry(Unescape(fields[4]), fields[dash + 1], Unescape(fields[dash + 2]), Unescape(fields[3])));
        }
        return entries;
    }

    /// <summary>The last (topmost) mount at exactly <paramref name="path"/>, or null.</summary>
    public static MountEntry? Find(string path)
    {
        string wanted = Normalize(path);
        MountEntry? found = null;
        foreach (var entry in Read())
        {
            if (entry.MountPoint == wanted)
                found = entry;
        }
        return found;
    }

    public static string Normalize(string path)
    {
        string full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>Undoes the kernel's octal escapes (<c>\040</c> for a space, …).</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var text = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
