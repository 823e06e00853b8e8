namespace Sensors360.Simulator.Load;

/// <summary>
/// Fleet mode's schedule: every sensor sends one heartbeat every <see cref="Interval"/> (= sensors ÷ rate), each with
/// its own phase, and a collector gateway forwards them in requests — an open loop, as a deployed fleet behaves: the
/// sensors keep their pace whatever the server answers.
/// </summary>
/// <remarks>
/// The phases are spread evenly over the interval (heartbeat <c>j</c> of the fleet falls due <c>j ÷ rate</c> seconds
/// after the start), and the sensors are dealt to them in a fixed shuffled order (seed <see cref="Seed"/>), so that a
/// request carries sensors from all over the fleet, as independent phases would, rather than consecutive ids. A
/// request carries <see cref="BeatsPerRequest"/> consecutive heartbeats: up to the batch size, but no more than fall
/// due in <see cref="MaxCollect"/>, so that no heartbeat waits in the gateway longer than that. It is due when its
/// last heartbeat is. Each heartbeat's timestamp is its own due time, so every sensor's timestamps are exactly one
/// interval apart (at least a second, hence distinct).
/// </remarks>
public sealed class FleetSchedule
{
    public const int Seed = 360;

    public static readonly TimeSpan MaxCollect = TimeSpan.FromMilliseconds(100);

    private readonly long[] _sensorIds;
    private readonly int[] _order;

    /// <param name="sensorIds">The fleet.</param>
    /// <param name="rate">Heartbeats per second of the whole fleet.</param>
    /// <param name="maxBatch">Most heartbeats per request.</param>
    public FleetSchedule(IReadOnlyList<long> sensorIds, double rate, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        if (sensorIds.Count == 0)
        {
            throw new ArgumentException("At least one sensor is needed.", nameof(sensorIds));
        }

        _sensorIds = [.. sensorIds];
        _order = [.. Enumerable.Range(0, _sensorIds.Length)];
        new Random(Seed).Shuffle(_order);
        Rate = rate;
        BeatsPerRequest = (int)Math.Clamp(Math.Floor(rate * MaxCollect.TotalSeconds), 1, maxBatch);
    }

    public int Sensors => _sensorIds.Length;

    /// <summary>Heartbeats per second of the whole fleet.</summary>
    public double Rate { get; }

    /// <summary>How often each sensor sends.</summary>
    public TimeSpan Interval => TimeSpan.FromSeconds(Sensors / Rate);

    public int BeatsPerRequest { get; }

    public double RequestsPerSecond => Rate / BeatsPerRequest;

    /// <summary>When request <paramref name="request"/> is due, in seconds after the start: when its last heartbeat is.</summary>
    public double DueSeconds(long request) => (((request + 1) * BeatsPerRequest) - 1) / Rate;

    /// <summary>The sensor of the fleet's heartbeat <paramref name="beat"/> (0, 1, …).</summary>
    public long SensorOf(long beat) => _sensorIds[_order[beat % Sensors]];

    /// <summary>The sensor whose phase is <paramref name="position"/>-th in the interval: the first ones send first.</summary>
    public long SensorInTurn(int position) => _sensorIds[_order[position % Sensors]];

    /// <summary>When heartbeat <paramref name="beat"/> falls due: its timestamp, in epoch milliseconds.</summary>
    public long TimestampOf(long beat, long startMilliseconds) => startMilliseconds + (long)Math.Floor(beat * 1000.0 / Rate);

    /// <summary>Request <paramref name="request"/>'s heartbeats as JSON: one object when a request carries one, else an array.</summary>
    /// <returns>How many bytes were written (the buffer takes <see cref="HeartbeatGenerator.MaxBodyLength"/> of <see cref="BeatsPerRequest"/>).</returns>
    public int Write(Span<byte> destination, long request, long startMilliseconds)
    {
        var array = BeatsPerRequest > 1;
        var length = 0;
        if (array)
        {
            destination[length++] = (byte)'[';
        }

        var first = request * BeatsPerRequest;
        for (var beat = first; beat < first + BeatsPerRequest; beat++)
        {
            if (beat > first)
            {
                destination[length++] = (byte)',';
            }

            length += HeartbeatGenerator.WriteItem(destination[length..], SensorOf(beat), TimestampOf(beat, startMilliseconds));
        }

        if (array)
        {
            destination[length++] = (byte)']';
        }

        return length;
    }

    /// <summary>
    /// The first <paramref name="count"/> sensors in turn, stamped <paramref name="nowMilliseconds"/>, as a JSON array: the
    /// ready check before the load. These are the sensors whose first heartbeat of the schedule falls due right at its
    /// start, so that waiting for the check to be stored never leaves one of them silent for more than an interval.
    /// </summary>
    public int WriteFirstInTurn(Span<byte> destination, int count, long nowMilliseconds)
    {
        var length = 0;
        destination[length++] = (byte)'[';
        for (var position = 0; position < count; position++)
        {
            if (position > 0)
            {
                destination[length++] = (byte)',';
            }

            length += HeartbeatGenerator.WriteItem(destination[length..], SensorInTurn(position), nowMilliseconds);
        }

        destination[length++] = (byte)']';
        return length;
    }

    /// <summary>
    /// How the registry should know the fleet's sensors: the expected interval (whole seconds, at least the
    /// interval), a small grace, so that a sensor marked late while it never stopped shows a fault (a heartbeat
    /// stored more than the grace late, or a deadline computed wrongly), and stale after three intervals.
    /// </summary>
    public static SensorTimings TimingsFor(TimeSpan interval, TimeSpan grace)
    {
        var expected = (int)Math.Ceiling(interval.TotalSeconds - 1e-9);
        return new SensorTimings(expected, (int)Math.Ceiling(grace.TotalSeconds), Math.Max(10, 3 * expected));
    }
}

/// <summary>The timings a sensor is registered with, in seconds (the registry's CSV columns).</summary>
public sealed record SensorTimings(int ExpectedIntervalSeconds, int GraceSeconds, int StaleAfterSeconds)
{
    /// <summary>The load's ordinary sensors: an hour and a day, so that they do not all turn late, then down, right after the run.</summary>
    public static readonly SensorTimings Load = new(3600, 0, 86400);
}
