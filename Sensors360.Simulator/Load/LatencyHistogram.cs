using System.Numerics;

namespace Sensors360.Simulator.Load;

/// <summary>
/// Latencies in microseconds, in log-linear buckets: exact below 128 µs, then 64 buckets per doubling, so a
/// percentile is at most 1/64 (1.6 %) above the true value. Fixed size (about 18 KB), no allocation per value.
/// One writer at a time; readers on other threads see values at most a moment old.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;

    /// <summary>Values are capped here (about 12.7 days).</summary>
    public const long MaxMicroseconds = (1L << 40) - 1;

    private static readonly int BucketCount = IndexOf(MaxMicroseconds) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    public long MaxValue => Volatile.Read(ref _max);

    /// <summary>The mean in microseconds; 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    public void Record(long microseconds)
    {
        var value = Math.Clamp(microseconds, 0, MaxMicroseconds);
        _counts[IndexOf(value)]++;
        _sum += value;
        if (value > _max)
        {
            Volatile.Write(ref _max, value);
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Adds this histogram's values to <paramref name="target"/>.</summary>
    public void AddTo(LatencyHistogram target)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            target._counts[i] += Volatile.Read(ref _counts[i]);
        }

        target._count += Count;
        target._sum += Volatile.Read(ref _sum);
        target._max = Math.Max(target._max, MaxValue);
    }

    /// <summary>
    /// The value below or at which <paramref name="percentile"/> % of the values fall: the top of the bucket holding
    /// that rank, never above the largest value recorded. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var total = _counts.Sum();
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        var seen = 0L;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestInBucket(i), MaxValue);
            }
        }

        return MaxValue;
    }

    /// <summary>The bucket holding <paramref name="value"/>.</summary>
    public static int IndexOf(long value)
    {
        if (value < 2 * SubBuckets)
        {
            return (int)value;
        }

        var shift = (63 - BitOperations.LeadingZeroCount((ulong)value)) - SubBucketBits;
        return (SubBuckets * shift) + (int)(value >> shift);
    }

    /// <summary>The largest value bucket <paramref name="index"/> holds.</summary>
    public static long HighestInBucket(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        var shift = (index / SubBuckets) - 1;
        var top = index - (SubBuckets * shift);
        return ((long)(top + 1) << shift) - 1;
    }
}
