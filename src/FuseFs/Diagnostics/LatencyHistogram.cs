using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ManagedCephFuse.FuseFs.Diagnostics;

/// <summary>
/// A latency histogram updated by many threads without locks or allocation: a count, a sum, a maximum, and
/// log-linear buckets — four per power of two of nanoseconds (≤ 19 % wide), from 1 µs to 2^40 ns (18 min).
/// Updates are a few interlocked adds; readers take a consistent-enough copy (counters only grow).
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Bucket 0 holds everything below 2^FirstOctave ns (1.02 µs).</summary>
    public const int FirstOctave = 10;
    public const int Octaves = 30;
    public const int SubBuckets = 4;
    public const int BucketCount = Octaves * SubBuckets + 1; // the last one is "longer than 2^40 ns"

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _sumNanoseconds;
    private long _maxNanoseconds;

    public long Count => Volatile.Read(ref _count);

    public long SumNanoseconds => Volatile.Read(ref _sumNanoseconds);

    public long MaxNanoseconds => Volatile.Read(ref _maxNanoseconds);

    /// <summary>Records the time between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordTicks(long start, long end) => Record(end > start ? (long)((end - start) * NanosecondsPerTick) : 0);

    public void Record(long nanoseconds)
    {
        Interlocked.Increment(ref _buckets[BucketOf(nanoseconds)]);
        Interlocked.Add(ref _sumNanoseconds, nanoseconds);
        Interlocked.Increment(ref _count);
        long max = Volatile.Read(ref _maxNanoseconds);
        while (nanoseconds > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxNanoseconds, nanoseconds, max);
            if (seen == max)
                break;
            max = seen;
        }
    }

    /// <summary>The bucket of <paramref name="nanoseconds"/>: octave above 2^FirstOctave, then the two bits below
    /// the leading one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BucketOf(long nanoseconds)
    {
        if (nanoseconds < 1L << FirstOctave)
            return 0;
        int log2 = BitOperations.Log2((ulong)nanoseconds);
        int octave = log2 - FirstOctave;
        if (octave >= Octaves)
            return BucketCount - 1;
        int sub = (int)(nanoseconds >> (log2 - 2)) & (SubBuckets - 1);
        return 1 + octave * SubBuckets + sub;
    }

    /// <summary>The exclusive upper bound of bucket <paramref name="bucket"/> in nanoseconds (long.MaxValue for the last).</summary>
    public static long UpperBoundNanoseconds(int bucket)
    {
        if (bucket == 0)
            return 1L << FirstOctave;
        if (bucket >= BucketCount - 1)
            return long.MaxValue;
        int octave = (bucket - 1) / SubBuckets, sub = (bucket - 1) % SubBuckets;
        long low = 1L << (FirstOctave + octave);
        return low + (low / SubBuckets) * (sub + 1);
    }

    /// <summary>Copies the buckets into <paramref name="destination"/> (length <see cref="BucketCount"/>).</summary>
    public void CopyBuckets(Span<long> destination)
    {
        for (int i = 0; i < BucketCount; i++)
            destination[i] = Volatile.Read(ref _buckets[i]);
    }

    /// <summary>The <paramref name="quantile"/> (0..1) estimated from the buckets (interpolated linearly inside the
    /// bucket that holds it, capped at the maximum seen), in nanoseconds; 0 when empty.</summary>
    public long Quantile(double quantile)
    {
        Span<long> buckets = stackalloc long[BucketCount];
        CopyBuckets(buckets);
        long total = 0;
        foreach (long b in buckets)
            total += b;
        if (total == 0)
            return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            if (seen + buckets[i] >= rank)
            {
                long low = i == 0 ? 0 : UpperBoundNanoseconds(i - 1);
                long high = Math.Min(UpperBoundNanoseconds(i), Math.Max(low, MaxNanoseconds));
                double within = (rank - seen) / (double)buckets[i];
                return Math.Min(low + (long)((high - low) * within), MaxNanoseconds);
            }
            seen += buckets[i];
        }
        return MaxNanoseconds;
    }

    /// <summary>Back to empty (perf reset). Not atomic with concurrent updates: a request finishing meanwhile may
    /// be half counted, which a reset tolerates.</summary>
    public void Reset()
    {
        for (int i = 0; i < BucketCount; i++)
            Volatile.Write(ref _buckets[i], 0);
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _sumNanoseconds, 0);
        Volatile.Write(ref _maxNanoseconds, 0);
    }
}
