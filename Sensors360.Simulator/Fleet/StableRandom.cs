namespace Sensors360.Simulator.Fleet;

/// <summary>
/// SplitMix64: a tiny generator whose sequence for a seed never changes, unlike <see cref="Random"/>, whose seeded
/// sequence .NET does not promise to keep across versions. Fleets and flap schedules must replay identically.
/// Not thread-safe.
/// </summary>
public sealed class StableRandom(ulong state)
{
    private const ulong Golden = 0x9E3779B97F4A7C15;

    private ulong _state = state;

    /// <summary>An independent stream per (seed, stream ids), e.g. (fleet seed, sensor number, purpose).</summary>
    public static StableRandom For(int seed, params ReadOnlySpan<long> streams)
    {
        var state = Mix((ulong)(uint)seed);
        foreach (var stream in streams)
        {
            state = Mix(state ^ ((ulong)stream * Golden));
        }

        return new StableRandom(state);
    }

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <returns>A number in [0, 1).</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <returns>A number in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</returns>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(minInclusive, maxExclusive);
        var range = (ulong)((long)maxExclusive - minInclusive);
        return (int)(minInclusive + (long)Math.BigMul(NextUInt64(), range, out _));
    }

    /// <returns>A duration in [<paramref name="min"/>, <paramref name="max"/>].</returns>
    public TimeSpan NextTimeSpan(TimeSpan min, TimeSpan max) => min + (max - min) * NextDouble();

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
