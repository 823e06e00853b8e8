using Sensors360.Simulator.Behaviour;
using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator.History;

/// <summary>A heartbeat as stored: the sensor's timestamp and when it reached the server.</summary>
public readonly record struct Beat(DateTimeOffset SensorTime, DateTimeOffset ReceivedAt);

/// <summary>A transient slowdown: the interval is multiplied by <see cref="Factor"/> over [Start, End).</summary>
public sealed record Slowdown(DateTimeOffset Start, DateTimeOffset End, double Factor);

/// <summary>
/// What one planned sensor sends: gaps of its interval ± jitter, a beat lost now and then, longer gaps during
/// slowdowns, none during flap silences, and over its degradation an interval growing geometrically to F × and ever
/// more losses; nothing at or after its death. Confounders (slowdowns, silences) stay clear of the last
/// <see cref="HistoryOptions.DegradeMaxDays"/> before death, so that they never pass for a precursor there.
/// </summary>
public sealed class HeartbeatScript
{
    private static readonly TimeSpan SlowdownMin = TimeSpan.FromHours(2);
    private static readonly TimeSpan SlowdownMax = TimeSpan.FromHours(12);
    private const double SlowdownFactorMin = 1.5;
    private const double SlowdownFactorMax = 2.5;
    private static readonly TimeSpan SilenceMin = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan SilenceMax = TimeSpan.FromMinutes(60);
    private static readonly TimeSpan SilenceEveryMin = TimeSpan.FromDays(1);
    private static readonly TimeSpan SilenceEveryMax = TimeSpan.FromDays(5);
    private static readonly TimeSpan MaxReceiptDelay = TimeSpan.FromSeconds(2);

    private readonly PlannedSensor _sensor;
    private readonly int _seed;
    private readonly double _jitter;
    private readonly double _missRate;
    private readonly double _maxDropRate;

    private HeartbeatScript(PlannedSensor sensor, HistoryOptions options, IReadOnlyList<Slowdown> slowdowns, IReadOnlyList<Silence> silences)
    {
        _sensor = sensor;
        _seed = options.Seed;
        _jitter = options.Jitter;
        _missRate = options.MissRate;
        _maxDropRate = options.DegradeMaxDropRate;
        Slowdowns = slowdowns;
        Silences = silences;
    }

    public IReadOnlyList<Slowdown> Slowdowns { get; }

    public IReadOnlyList<Silence> Silences { get; }

    /// <summary>
    /// The script of <paramref name="sensor"/> with its slowdowns and silences from a little before
    /// <paramref name="windowStart"/> (so that one may be under way when the window opens) to <paramref name="endAt"/>.
    /// </summary>
    public static HeartbeatScript For(PlannedSensor sensor, HistoryOptions options, DateTimeOffset windowStart, DateTimeOffset endAt)
    {
        var quietFrom = sensor.DeathAt - TimeSpan.FromDays(options.DegradeMaxDays);
        var until = quietFrom < endAt ? quietFrom : endAt;

        var slowdowns = new List<Slowdown>();
        var meanGapDays = options.SlowdownsPer30Days > 0 ? 30 / options.SlowdownsPer30Days : double.PositiveInfinity;
        var random = StableRandom.For(options.Seed, HistoryStreams.Slowdowns, sensor.Slot, sensor.Generation);
        for (var t = Later(sensor.InstalledAt, windowStart - SlowdownMax); double.IsFinite(meanGapDays);)
        {
            // Poisson arrivals: exponential gaps, counted from the end of the previous slowdown so they never overlap.
            t += TimeSpan.FromDays(-Math.Log(1 - random.NextDouble()) * meanGapDays);
            var end = t + random.NextTimeSpan(SlowdownMin, SlowdownMax);
            var factor = SlowdownFactorMin + (SlowdownFactorMax - SlowdownFactorMin) * random.NextDouble();
            if (end > until)
            {
                break;
            }

            slowdowns.Add(new Slowdown(t, end, factor));
            t = end;
        }

        var silences = new List<Silence>();
        if (sensor.Flapping)
        {
            var flap = StableRandom.For(options.Seed, HistoryStreams.FlapSchedule, sensor.Slot, sensor.Generation);
            for (var t = Later(sensor.InstalledAt, windowStart - SilenceEveryMax); ;)
            {
                t += flap.NextTimeSpan(SilenceEveryMin, SilenceEveryMax);
                var end = t + flap.NextTimeSpan(SilenceMin, SilenceMax);
                if (end > until)
                {
                    break;
                }

                silences.Add(new Silence(t, end));
                t = end;
            }
        }

        return new HeartbeatScript(sensor, options, slowdowns, silences);
    }

    /// <summary>The interval the sensor keeps at <paramref name="time"/>, before jitter, in seconds.</summary>
    public double IntervalAt(DateTimeOffset time)
    {
        var slowdown = 1.0;
        foreach (var s in Slowdowns)
        {
            if (s.Start <= time && time < s.End)
            {
                slowdown = s.Factor;
            }
        }

        return Interval(time.UtcTicks, slowdown);
    }

    /// <summary>The probability that a beat at <paramref name="time"/> is lost (flap silences aside).</summary>
    public double DropRateAt(DateTimeOffset time) => DropRate(time.UtcTicks);

    /// <summary>
    /// The beats with a sensor time in [<paramref name="from"/>, <paramref name="to"/>], none at or after death. The first
    /// is at installation, or for a sensor installed earlier at a random phase after <paramref name="from"/>.
    /// The same arguments always give the same beats.
    /// </summary>
    public IEnumerable<Beat> Beats(DateTimeOffset from, DateTimeOffset to)
    {
        var random = StableRandom.For(_seed, HistoryStreams.Beats, _sensor.Slot, _sensor.Generation);
        var death = _sensor.DeathAt.UtcTicks;
        var last = to.UtcTicks;
        var slowdown = 0;
        var silence = 0;

        var t = _sensor.InstalledAt >= from
            ? _sensor.InstalledAt.UtcTicks
            : Milliseconds(from.UtcTicks + IntervalAt(from) * random.NextDouble() * TimeSpan.TicksPerSecond);
        while (t <= last && t < death)
        {
            while (slowdown < Slowdowns.Count && Slowdowns[slowdown].End.UtcTicks <= t)
            {
                slowdown++;
            }

            while (silence < Silences.Count && Silences[silence].End.UtcTicks <= t)
            {
                silence++;
            }

            var silent = silence < Silences.Count && Silences[silence].Start.UtcTicks <= t;
            if (!silent && random.NextDouble() >= DropRate(t))
            {
                var received = Milliseconds(t + random.NextDouble() * MaxReceiptDelay.Ticks);
                yield return new Beat(new DateTimeOffset(t, TimeSpan.Zero), new DateTimeOffset(received, TimeSpan.Zero));
            }

            var factor = slowdown < Slowdowns.Count && Slowdowns[slowdown].Start.UtcTicks <= t ? Slowdowns[slowdown].Factor : 1.0;
            var gap = Interval(t, factor) * (1 + _jitter * (2 * random.NextDouble() - 1));
            t = Milliseconds(t + gap * TimeSpan.TicksPerSecond);
        }
    }

    private double Interval(long ticks, double slowdown) =>
        DegradeProgress(ticks) is { } progress ? _sensor.IntervalSeconds * Math.Pow(_sensor.DegradeFactor, progress) : _sensor.IntervalSeconds * slowdown;

    private double DropRate(long ticks) =>
        DegradeProgress(ticks) is { } progress ? _missRate + (_maxDropRate - _missRate) * progress : _missRate;

    /// <returns>0 at the onset of degradation to 1 at death; null when not degrading.</returns>
    private double? DegradeProgress(long ticks)
    {
        if (_sensor.DegradeStart is not { } onset || ticks < onset.UtcTicks)
        {
            return null;
        }

        var length = _sensor.DeathAt.UtcTicks - onset.UtcTicks;
        return length <= 0 ? 1 : Math.Min(1, (double)(ticks - onset.UtcTicks) / length);
    }

    // Sensors send millisecond timestamps.
    private static long Milliseconds(double ticks) => (long)ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;

    private static long Milliseconds(long ticks) => ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
