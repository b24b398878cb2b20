using System.Text;

namespace ManagedCephFuse.CephClient.Native;

/// <summary>NUL-terminated UTF-8 for C calls, without allocating on the hot path.</summary>
internal static class Utf8Z
{
    /// <summary>Scratch size for a file name: NAME_MAX (255) bytes and the NUL.</summary>
    public const int NameBuffer = 256;

    /// <summary>Scratch size for a path or symlink target: PATH_MAX (4096) including the NUL.</summary>
    public const int PathBuffer = 4096;

    /// <summary>
    /// <paramref name="text"/> itself when it already ends with its only NUL (FUSE request names do), else a
    /// NUL-terminated copy in <paramref name="scratch"/>. Errors (positive errno): EINVAL for an embedded NUL,
    /// ENAMETOOLONG when the copy does not fit.
    /// </summary>
    public static ReadOnlySpan<byte> Terminate(ReadOnlySpan<byte> text, Span<byte> scratch, out int error)
    {
        int nul = text.IndexOf((byte)0);
        if (nul == text.Length - 1 && nul >= 0)
        {
            error = 0;
            return text;
        }
        if (nul >= 0)
        {
            error = Errno.EINVAL;
            return default;
        }
        if (text.Length >= scratch.Length)
        {
            error = Errno.ENAMETOOLONG;
            return default;
        }
        text.CopyTo(scratch);
        scratch[text.Length] = 0;
        error = 0;
        return scratch[..(text.Length + 1)];
    }

    /// <summary>
    /// <paramref name="text"/> as NUL-terminated UTF-8 in <paramref name="scratch"/>, or in a new array when it does
    /// not fit (the throwing layer's path; the hot path takes bytes).
    /// </summary>
    public static ReadOnlySpan<byte> Encode(string text, Span<byte> scratch)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        Span<byte> target = max <= scratch.Length ? scratch : new byte[Encoding.UTF8.GetByteCount(text) + 1];
        int length = Encoding.UTF8.GetBytes(text, target);
        target[length] = 0;
        return target[..(length + 1)];
    }
}
