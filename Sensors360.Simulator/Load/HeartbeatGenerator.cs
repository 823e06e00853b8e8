using System.Buffers.Text;
using System.Globalization;

namespace Sensors360.Simulator.Load;

/// <summary>
/// Makes the load's heartbeats: the sensors in turn, each with its own strictly increasing epoch-millisecond
/// timestamp (now, or one past that sensor's previous one), so that no two heartbeats share a (sensor, time) pair and
/// the store's unique key drops none of them. Writes them straight into a caller's buffer as JSON — one object, or an
/// array — or as the legacy query string. Thread-safe.
/// </summary>
public sealed class HeartbeatGenerator
{
    // {"sensorId":<19 digits>,"timestamp":<20 digits>},
    internal const int MaxItemLength = 12 + 19 + 13 + 20 + 2;

    private static ReadOnlySpan<byte> SensorIdPrefix => "{\"sensorId\":"u8;

    private static ReadOnlySpan<byte> TimestampPrefix => ",\"timestamp\":"u8;

    private readonly long[] _sensorIds;
    private readonly long[] _lastMilliseconds;
    private long _sequence;

    public HeartbeatGenerator(IReadOnlyList<long> sensorIds)
    {
        if (sensorIds.Count == 0)
        {
            throw new ArgumentException("At least one sensor is needed.", nameof(sensorIds));
        }

        _sensorIds = [.. sensorIds];
        _lastMilliseconds = new long[_sensorIds.Length];
    }

    public int SensorCount => _sensorIds.Length;

    /// <summary>Heartbeats handed out so far.</summary>
    public long Generated => Volatile.Read(ref _sequence);

    /// <summary>A buffer this long holds any body of <paramref name="count"/> heartbeats.</summary>
    public static int MaxBodyLength(int count) => 2 + (count * MaxItemLength);

    /// <summary>The next <paramref name="count"/> heartbeats as JSON: one object when <paramref name="count"/> is 1, else an array.</summary>
    /// <returns>How many bytes were written.</returns>
    public int WriteNext(Span<byte> destination, int count, long nowMilliseconds)
    {
        var first = Interlocked.Add(ref _sequence, count) - count;
        return Write(destination, first, count, nowMilliseconds);
    }

    /// <summary>
    /// <paramref name="count"/> heartbeats for the sensors from position <paramref name="firstSensor"/> on (wrapping
    /// round), outside the round-robin turn: e.g. a first request that names the last and the first sensor.
    /// </summary>
    public int WriteFor(Span<byte> destination, int firstSensor, int count, long nowMilliseconds) =>
        Write(destination, firstSensor, count, nowMilliseconds);

    /// <summary>The next heartbeat as the legacy query string, <c>sensor_id=N&amp;timestamp=MS</c>.</summary>
    public string NextLegacyQuery(long nowMilliseconds)
    {
        var index = (int)((Interlocked.Increment(ref _sequence) - 1) % _sensorIds.Length);
        return LegacyQuery(index, nowMilliseconds);
    }

    /// <summary>The legacy query string for the sensor at position <paramref name="sensor"/>, outside the round-robin turn.</summary>
    public string LegacyQueryFor(int sensor, long nowMilliseconds) => LegacyQuery(sensor % _sensorIds.Length, nowMilliseconds);

    /// <summary>How far the latest timestamp handed out runs ahead of <paramref name="nowMilliseconds"/> (0 when none does).</summary>
    /// <remarks>A sensor given more than one heartbeat per millisecond runs ahead of the clock; past 5 minutes the API answers 422.</remarks>
    public long MaxLeadMilliseconds(long nowMilliseconds)
    {
        var lead = 0L;
        for (var i = 0; i < _lastMilliseconds.Length; i++)
        {
            lead = Math.Max(lead, Volatile.Read(ref _lastMilliseconds[i]) - nowMilliseconds);
        }

        return lead;
    }

    private string LegacyQuery(int index, long nowMilliseconds) => string.Create(CultureInfo.InvariantCulture,
        $"sensor_id={_sensorIds[index]}&timestamp={NextTimestamp(index, nowMilliseconds)}");

    private int Write(Span<byte> destination, long firstSequence, int count, long nowMilliseconds)
    {
        var array = count > 1;
        var length = 0;
        if (array)
        {
            destination[length++] = (byte)'[';
        }

        var index = (int)(firstSequence % _sensorIds.Length);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                destination[length++] = (byte)',';
            }

            length += WriteItem(destination[length..], _sensorIds[index], NextTimestamp(index, nowMilliseconds));

            if (++index == _sensorIds.Length)
            {
                index = 0;
            }
        }

        if (array)
        {
            destination[length++] = (byte)']';
        }

        return length;
    }

    /// <summary>One heartbeat as a JSON object, <c>{"sensorId":N,"timestamp":MS}</c>.</summary>
    /// <returns>How many bytes were written (at most <see cref="MaxItemLength"/>).</returns>
    internal static int WriteItem(Span<byte> destination, long sensorId, long timestampMilliseconds)
    {
        SensorIdPrefix.CopyTo(destination);
        var length = SensorIdPrefix.Length;
        Utf8Formatter.TryFormat(sensorId, destination[length..], out var written);
        length += written;
        TimestampPrefix.CopyTo(destination[length..]);
        length += TimestampPrefix.Length;
        Utf8Formatter.TryFormat(timestampMilliseconds, destination[length..], out written);
        length += written;
        destination[length++] = (byte)'}';
        return length;
    }

    /// <summary>Now, or one millisecond after this sensor's previous heartbeat, whichever is later.</summary>
    private long NextTimestamp(int index, long nowMilliseconds)
    {
        ref var last = ref _lastMilliseconds[index];
        while (true)
        {
            var previous = Volatile.Read(ref last);
            var next = Math.Max(nowMilliseconds, previous + 1);
            if (Interlocked.CompareExchange(ref last, next, previous) == previous)
            {
                return next;
            }
        }
    }
}
