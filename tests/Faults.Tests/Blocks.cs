using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>
/// The writer's blocks: 16 KiB each, block i at offset i × 16 KiB, every one self-describing and checksummed —
/// magic, the writing file's tag, the index, the SHA-256 of the payload, then a payload generated from (tag, index).
/// A block read back is intact only when its checksum matches and it is the very block that belongs there, so a
/// stale, misplaced, torn or zero-filled block is caught, not just a flipped bit.
/// </summary>
internal static class Blocks
{
    public const int Size = 16 * 1024;
    private const ulong Magic = 0x544C5541_4646434D; // "MCFFAULT"
    private const int HeaderBytes = 8 + 8 + 8 + 32;

    /// <summary>Fills <paramref name="block"/> with block <paramref name="index"/> of the file tagged <paramref name="tag"/>.</summary>
    public static void Format(Span<byte> block, ulong tag, long index)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(block, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(block[8..], tag);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], index);
        Span<byte> payload = block[HeaderBytes..];
        ulong state = (tag ^ ((ulong)index * 0x9E3779B97F4A7C15UL)) | 1;
        for (int i = 0; i + 8 <= payload.Length; i += 8)
        {
            // xorshift64: cheap, and a different sequence for every (file, block)
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            BinaryPrimitives.WriteUInt64LittleEndian(payload[i..], state);
        }
        SHA256.HashData(payload, block[24..HeaderBytes]);
    }

    /// <summary>True when <paramref name="block"/> is intact block <paramref name="index"/> of file <paramref name="tag"/>.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> block, ulong tag, long index)
    {
        if (block.Length != Size || BinaryPrimitives.ReadUInt64LittleEndian(block) != Magic
            || BinaryPrimitives.ReadUInt64LittleEndian(block[8..]) != tag
            || BinaryPrimitives.ReadInt64LittleEndian(block[16..]) != index)
            return false;
        Span<byte> sum = stackalloc byte[32];
        SHA256.HashData(block[HeaderBytes..], sum);
        return sum.SequenceEqual(block[24..HeaderBytes]);
    }

    /// <summary>A file's tag: its path within the file system, so every file has its own blocks.</summary>
    public static ulong Tag(string relativePath)
    {
        Span<byte> sum = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(relativePath), sum);
        return BinaryPrimitives.ReadUInt64LittleEndian(sum);
    }
}
