using Xunit;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>The block check the fault suite's "lost" column rests on catches what it must.</summary>
[Trait("Category", "Unit")]
public sealed class BlocksTests
{
    private static readonly ulong Tag = Blocks.Tag("fault/client/data");

    private static byte[] Block(ulong tag, long index)
    {
        var block = new byte[Blocks.Size];
        Blocks.Format(block, tag, index);
        return block;
    }

    [Fact]
    public void AFormattedBlockIsIntact() => Assert.True(Blocks.IsIntact(Block(Tag, 7), Tag, 7));

    [Fact]
    public void AFlippedBitIsCaught()
    {
        byte[] block = Block(Tag, 7);
        block[Blocks.Size / 2] ^= 0x10;
        Assert.False(Blocks.IsIntact(block, Tag, 7));
    }

    [Fact]
    public void AnotherBlockInItsPlaceIsCaught()
    {
        Assert.False(Blocks.IsIntact(Block(Tag, 6), Tag, 7));
        Assert.False(Blocks.IsIntact(Block(Blocks.Tag("other/client/data"), 7), Tag, 7));
    }

    [Fact]
    public void ZerosAndShortReadsAreCaught()
    {
        Assert.False(Blocks.IsIntact(new byte[Blocks.Size], Tag, 0));
        Assert.False(Blocks.IsIntact(Block(Tag, 0).AsSpan(0, Blocks.Size - 1), Tag, 0));
    }

    [Fact]
    public void EveryBlockHasItsOwnPayload() =>
        Assert.False(Block(Tag, 1).AsSpan(56).SequenceEqual(Block(Tag, 2).AsSpan(56)));
}
