using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Memory;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.Unit;

/// <summary>
/// Random, truncated, oversized and mutated requests through the real decoder and the memory file system: every
/// request that expects a reply gets exactly one well-formed reply (an error reply is exactly 16 bytes with a
/// negative errno), nothing escapes as an exception, and no handler fails.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DecoderFuzzTests
{
    private static readonly FuseOpcode[] Opcodes = OpcodeTable.Served()
        .Where(o => o is not FuseOpcode.SetLkW) // a blocking lock could wait for ever without a kernel to interrupt it
        .Concat([(FuseOpcode)7, (FuseOpcode)19, FuseOpcode.Bmap, FuseOpcode.Poll, FuseOpcode.SyncFs, FuseOpcode.TmpFile, (FuseOpcode)4096, (FuseOpcode)77777])
        .ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomRequestsGetErrnoRepliesAndNeverAnException(int seed)
    {
        var random = new Random(seed);
        using var session = new UnitSession(new MemoryFileSystem());
        // some real state for requests to hit: files, directories, handles
        Seed(session);
        for (int i = 0; i < 10_000; i++)
        {
            byte[] request = (i % 50) switch
            {
                0 => Oversized(random),
                < 17 => RandomBytes(random),
                < 34 => RandomPayload(random),
                _ => Mutated(random),
            };
            CheckOne(session, request, seed, i);
        }
        Assert.Empty(session.Log.Entries.Where(e => e.Message.Contains("handler failed", StringComparison.Ordinal)).Select(e => e.Message));
    }

    [Fact]
    public void EveryOpcodeWithATruncatedArgumentGetsEinval()
    {
        using var session = new UnitSession(new MemoryFileSystem());
        foreach (FuseOpcode opcode in OpcodeTable.Served())
        {
            OpcodeTable.Entry entry = OpcodeTable.Find(opcode)!;
            if (entry.InputSize == 0)
                continue;
            byte[]? reply = session.Send(Requests.Build(opcode, 1000, 1, new byte[entry.InputSize - 1]));
            if (entry.NoReply)
            {
                Assert.Null(reply);
                continue;
            }
            Assert.NotNull(reply);
            Assert.Equal(16, reply!.Length);
            Assert.Equal(-22, BitConverter.ToInt32(reply, 4));
        }
    }

    [Fact]
    public void ALengthThatDisagreesWithTheBytesReadIsRefused()
    {
        using var session = new UnitSession(new MemoryFileSystem());
        byte[] request = Requests.Build(FuseOpcode.GetAttr, 1002, 1, new byte[16]);
        request[0] += 8; // header says 8 bytes more than arrived
        byte[]? reply = session.Send(request);
        Assert.Equal(16, reply!.Length);
        Assert.Equal(-22, BitConverter.ToInt32(reply, 4));
        Assert.Null(session.Send(new byte[39])); // shorter than a header: dropped (no unique to answer)
        Assert.Contains(session.Log.Entries, e => e.Message.Contains("shorter than a header", StringComparison.Ordinal));
    }

    private static void Seed(UnitSession session)
    {
        ulong unique = 100;
        for (int i = 0; i < 5; i++)
        {
            session.Send(Requests.Build(FuseOpcode.MkDir, unique += 2, 1, Requests.Struct(new FuseMkdirIn { Mode = 0x1ED }), Requests.Name($"d{i}")));
            session.Send(Requests.Build(FuseOpcode.Create, unique += 2, 1, Requests.Struct(new FuseCreateIn { Flags = 0x42, Mode = 0x81A4 }), Requests.Name($"f{i}")));
            session.Send(Requests.Build(FuseOpcode.OpenDir, unique += 2, 1, Requests.Struct(new FuseOpenIn())));
        }
    }

    private static void CheckOne(UnitSession session, byte[] request, int seed, int index)
    {
        int before = session.Channel.Written.Count;
        try
        {
            session.Send(request);
        }
        catch (Exception e)
        {
            Assert.Fail($"seed {seed} #{index}: {e.GetType().Name} escaped: {e.Message}");
        }
        int written = session.Channel.Written.Count - before;
        if (request.Length < 40)
        {
            Assert.True(written == 0, $"seed {seed} #{index}: a {request.Length}-byte request was answered");
            return;
        }
        var header = MemoryMarshal.Read<FuseInHeader>(request);
        OpcodeTable.Entry? entry = OpcodeTable.Find(header.Opcode);
        bool expectsReply = header.Unique != 0 && (entry is null || !entry.NoReply || header.Len != (uint)request.Length);
        if (entry is { NoReply: true } && header.Len == (uint)request.Length)
            expectsReply = false;
        Assert.True(written == (expectsReply ? 1 : 0), $"seed {seed} #{index}: {header.Opcode} len {header.Len}/{request.Length} unique {header.Unique}: {written} replies");
        if (written == 1)
        {
            byte[] reply = session.Channel.Last;
            var outHeader = MemoryMarshal.Read<FuseOutHeader>(reply);
            Assert.Equal((uint)reply.Length, outHeader.Len);
            Assert.Equal(header.Unique, outHeader.Unique);
            Assert.True(outHeader.Error is <= 0 and > -4096, $"seed {seed} #{index}: error {outHeader.Error}");
            if (outHeader.Error != 0)
                Assert.Equal(16, reply.Length);
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] RandomPayload(Random random)
    {
        FuseOpcode opcode = Opcodes[random.Next(Opcodes.Length)];
        var payload = new byte[random.Next(0, 300)];
        random.NextBytes(payload);
        // sometimes a plausible name at the end
        if (payload.Length > 4 && random.Next(2) == 0)
        {
            payload[^1] = 0;
            payload[^3] = 0;
        }
        byte[] request = Requests.Build(opcode, NextUnique(random), (ulong)random.Next(0, 20), payload);
        if (random.Next(10) == 0)
            BitConverter.TryWriteBytes(request.AsSpan(32), (ushort)random.Next(0, 4)); // total_extlen
        return request;
    }

    private static byte[] Mutated(Random random)
    {
        // a well-formed request with hostile field values
        FuseOpcode opcode = Opcodes[random.Next(Opcodes.Length)];
        int fixedSize = OpcodeTable.Find(opcode)?.InputSize ?? 0;
        var args = new byte[Math.Max(fixedSize, 64)];
        for (int i = 0; i + 8 <= args.Length; i += 8)
        {
            ulong value = random.Next(6) switch
            {
                0 => 0,
                1 => ulong.MaxValue,
                2 => (ulong)random.Next(0, 16),
                3 => (ulong)long.MaxValue,
                4 => 1UL << random.Next(0, 64),
                _ => (ulong)random.NextInt64(),
            };
            BitConverter.TryWriteBytes(args.AsSpan(i), value);
        }
        byte[] name = random.Next(4) switch
        {
            0 => Requests.Name("f" + random.Next(5)),
            1 => Requests.Name(new string('n', random.Next(250, 300))),
            2 => Requests.Name("a/b"),
            _ => [(byte)'x', (byte)'y'], // no NUL
        };
        return Requests.Build(opcode, NextUnique(random), (ulong)random.Next(0, 20), args, name, random.Next(2) == 0 ? Requests.Name("g" + random.Next(5)) : []);
    }

    private static byte[] Oversized(Random random)
    {
        FuseOpcode opcode = random.Next(3) == 0 ? FuseOpcode.Write : Opcodes[random.Next(Opcodes.Length)];
        var payload = new byte[random.Next(64 * 1024, (1 << 20) + 4096 - 40)];
        random.NextBytes(payload.AsSpan(0, Math.Min(payload.Length, 256)));
        if (opcode == FuseOpcode.Write)
        {
            var write = new FuseWriteIn { Fh = (ulong)random.Next(0, 20), Offset = (ulong)random.Next(0, 1 << 20), Size = (uint)random.Next(0, payload.Length * 2) };
            MemoryMarshal.Write(payload, in write);
        }
        return Requests.Build(opcode, NextUnique(random), (ulong)random.Next(0, 20), payload);
    }

    private static ulong NextUnique(Random random) => random.Next(20) == 0 ? 0 : (ulong)random.Next(1, int.MaxValue) * 2;
}
