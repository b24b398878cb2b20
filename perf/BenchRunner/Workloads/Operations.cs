namespace ManagedCephFuse.BenchRunner.Workloads;

/// <summary>
/// One thing a contender does, described independently of how: a mount-point contender runs fio, fsops or
/// ls on its mount; the libcephfs-direct driver does the same calls without the kernel. Paths are relative to
/// the contender's own work directory.
/// </summary>
internal abstract record Operation;

/// <summary>Write a new file sequentially in <paramref name="BlockSize"/> blocks and fsync it (timed together).</summary>
internal sealed record SequentialWrite(string File, long Size, int BlockSize) : Operation;

/// <summary>Read a whole file sequentially.</summary>
internal sealed record SequentialRead(string File, long Size, int BlockSize) : Operation;

/// <summary>Time-based random I/O at block-aligned offsets by <paramref name="Jobs"/> parallel synchronous
/// jobs, each with its own open file; writes end with an fsync inside the timed region.</summary>
internal sealed record RandomIo(string File, long FileSize, int BlockSize, int Jobs, double Seconds, bool Write,
    bool Direct) : Operation;

internal enum FileOpKind
{
    Create,
    Stat,
    Unlink,
}

/// <summary>create (open O_CREAT|O_EXCL + close), stat or unlink of f0000000 … f(N-1) in a directory.</summary>
internal sealed record FileOps(FileOpKind Kind, string Directory, int Count) : Operation;

/// <summary>Write (create + write + close) or read (open + read + close) N files of <paramref name="Size"/> bytes.</summary>
internal sealed record SmallFiles(bool Write, string Directory, int Count, int Size) : Operation;

/// <summary><c>ls -l</c> of a directory (the driver: readdirplus with attributes).</summary>
internal sealed record ListLong(string Directory, int ExpectedEntries) : Operation;

/// <summary>stat(2) of one path N times (FUSE layer: a LOOKUP + GETATTR round trip each with timeouts 0).</summary>
internal sealed record StatLoop(string Path, int Count) : Operation;

/// <summary>Read a file <paramref name="Passes"/> times, each from a cold page cache (or O_DIRECT).</summary>
internal sealed record ReadPasses(string File, int BlockSize, int Passes, bool Direct) : Operation;

/// <summary>Setup: make sure the file exists with exactly this size (written in 1 MiB blocks if not).</summary>
internal sealed record EnsureFile(string File, long Size) : Operation;

/// <summary>Setup: rm -rf.</summary>
internal sealed record Remove(string Path) : Operation;

/// <summary>What an operation did; <see cref="Seconds"/> covers only its timed part.</summary>
internal readonly record struct OpResult(long Ops, long Bytes, double Seconds);
