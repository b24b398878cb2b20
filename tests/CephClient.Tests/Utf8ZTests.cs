using ManagedCephFuse.CephClient.Native;

using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>How hot-path names become C strings: zero copies for NUL-terminated input, bounded copies otherwise.</summary>
[Trait("Category", "Unit")]
public sealed class Utf8ZTests
{
    [Fact]
    public void NulTerminatedInputIsPassedAsIs()
    {
        ReadOnlySpan<byte> name = "file\0"u8;
        var z = Utf8Z.Terminate(name, stackalloc byte[8], out int error);
        Assert.Equal(0, error);
        Assert.True(z == name, "expected the very same memory");
    }

    [Fact]
    public void UnterminatedInputIsCopiedAndTerminated()
    {
        Span<byte> scratch = stackalloc byte[8];
        var z = Utf8Z.Terminate("file"u8, scratch, out int error);
        Assert.Equal(0, error);
        Assert.Equal("file\0"u8.ToArray(), z.ToArray());
        Assert.True(z == scratch[..5], "expected the copy in the scratch buffer");
    }

    [Fact]
    public void EmbeddedNulIsInvalid()
    {
        Utf8Z.Terminate("a\0b"u8, stackalloc byte[8], out int error);
        Assert.Equal(Errno.EINVAL, error);
        Utf8Z.Terminate("a\0b\0"u8, stackalloc byte[8], out error);
        Assert.Equal(Errno.EINVAL, error);
    }

    [Fact]
    public void TooLongIsNameTooLong()
    {
        Utf8Z.Terminate(new byte[Utf8Z.NameBuffer], stackalloc byte[Utf8Z.NameBuffer], out int error);
        Assert.Equal(Errno.EINVAL, error); // all zeros: embedded NULs
        var name = Enumerable.Repeat((byte)'a', Utf8Z.NameBuffer).ToArray();
        Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out error);
        Assert.Equal(Errno.ENAMETOOLONG, error);
        var z = Utf8Z.Terminate(name.AsSpan(0, Utf8Z.NameBuffer - 1), stackalloc byte[Utf8Z.NameBuffer], out error);
        Assert.Equal(0, error);
        Assert.Equal(Utf8Z.NameBuffer, z.Length);
    }

    [Fact]
    public void EncodeHandlesMultibyteAndOversizedText()
    {
        Assert.Equal("grüße\0"u8.ToArray(), Utf8Z.Encode("grüße", stackalloc byte[64]).ToArray());
        string longText = new('x', 5000);
        var z = Utf8Z.Encode(longText, stackalloc byte[16]);
        Assert.Equal(5001, z.Length);
        Assert.Equal(0, z[^1]);
    }
}
