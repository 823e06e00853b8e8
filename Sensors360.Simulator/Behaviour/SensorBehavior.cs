using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator.Behaviour;

/// <summary>
/// When one simulated sensor beats, following its fate. Pure except for the jitter stream: the same calls in the
/// same order give the same times. Calls for one sensor must not overlap (the scheduler guarantees it).
/// </summary>
public sealed class SensorBehavior
{
    private const long FlapStream = 3;
    private const long JitterStream = 4;

    private readonly double _jitter;
    private readonly double _degradeFactor;
    private readonly TimeSpan _degradeDuration;
    private readonly StableRandom _jitterRandom;
    private readonly FlapSchedule? _flap;

    public SensorBehavior(SimulatedSensor sensor, SimulatedFleet fleet, SimulatorOptions options)
    {
        Sensor = sensor;
        _jitter = options.Jitter;
        _degradeFactor = options.DegradeFactor;
        _degradeDuration = sensor is { DegradeStart: { } start, DeathAt: { } death } ? death - start : options.DegradeDuration;
        _jitterRandom = StableRandom.For(fleet.Seed, JitterStream, sensor.Number);
        if (sensor.Fate == SensorFate.Flap)
        {
            _flap = new FlapSchedule(StableRandom.For(fleet.Seed, FlapStream, sensor.Number), fleet.CreatedAt, options);
        }
    }

    public SimulatedSensor Sensor { get; }

    public FlapSchedule? Flap => _flap;

    /// <summary>
    /// The sensor's interval at <paramref name="time"/>. While degrading it grows geometrically from the normal
    /// interval to <see cref="SimulatorOptions.DegradeFactor"/> times it, so the gaps widen steadily rather than jump.
    /// </summary>
    public TimeSpan IntervalAt(DateTimeOffset time)
    {
        var normal = TimeSpan.FromSeconds(Sensor.IntervalSeconds);
        if (Sensor is not { Fate: SensorFate.Degrade, DegradeStart: { } start } || time <= start || _degradeDuration <= TimeSpan.Zero)
        {
            return normal;
        }

        var progress = Math.Min(1.0, (time - start) / _degradeDuration);
        return normal * Math.Pow(_degradeFactor, progress);
    }

    public SensorPhase PhaseAt(DateTimeOffset time)
    {
        if (Sensor.DeathAt is { } death && time >= death)
        {
            return SensorPhase.Dead;
        }

        if (Sensor is { Fate: SensorFate.Degrade, DegradeStart: { } start } && time >= start)
        {
            return SensorPhase.Degrading;
        }

        return _flap?.SilenceAt(time) is not null ? SensorPhase.FlappingSilent : SensorPhase.Alive;
    }

    /// <summary>The first beat after a (re)start: somewhere within one interval, so a fleet does not beat all at once.</summary>
    public DateTimeOffset? FirstBeat(DateTimeOffset now) => Admit(now + IntervalAt(now) * _jitterRandom.NextDouble());

    /// <summary>The beat after one sent at <paramref name="previous"/>; null once the sensor is dead.</summary>
    /// <param name="notBefore">An earliest time imposed from outside, e.g. by a 429's Retry-After.</param>
    public DateTimeOffset? NextBeat(DateTimeOffset previous, DateTimeOffset? notBefore = null)
    {
        var gap = IntervalAt(previous) * (1 + _jitter * (2 * _jitterRandom.NextDouble() - 1));
        var next = previous + gap;
        return Admit(notBefore > next ? notBefore.Value : next);
    }

    /// <summary>
    /// The earliest time at or after <paramref name="candidate"/> when the script lets the sensor beat: null once it
    /// is dead, the end of the silence when it falls in one.
    /// </summary>
    public DateTimeOffset? Admit(DateTimeOffset candidate)
    {
        if (_flap?.SilenceAt(candidate) is { } silence)
        {
            candidate = silence.End;
        }

        return Sensor.DeathAt is { } death && candidate >= death ? null : candidate;
    }
}
