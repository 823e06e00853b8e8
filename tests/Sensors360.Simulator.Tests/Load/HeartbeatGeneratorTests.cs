using System.Text;

namespace Sensors360.Simulator.Tests.Load;

public sealed class HeartbeatGeneratorTests
{
    private const long Now = 1_795_860_300_123; // 2026-11-28T10:05:00.123Z

    [Fact]
    public void A_batch_of_one_is_a_single_object_with_the_sensor_id_and_epoch_milliseconds()
    {
        var generator = new HeartbeatGenerator([42, 43]);
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(1)];

        var body = Encoding.UTF8.GetString(buffer, 0, generator.WriteNext(buffer, 1, Now));

        Assert.Equal("""{"sensorId":42,"timestamp":1795860300123}""", body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
    }

    [Fact]
    public void A_larger_batch_is_a_json_array_going_round_the_sensors()
    {
        var generator = new HeartbeatGenerator([7, 8, 9]);
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(4)];

        var first = Parse(buffer, generator.WriteNext(buffer, 4, Now));
        var second = Parse(buffer, generator.WriteNext(buffer, 4, Now));

        Assert.Equal([7, 8, 9, 7], first.Select(b => b.SensorId));
        Assert.Equal([8, 9, 7, 8], second.Select(b => b.SensorId));
        // Sensor 7 had a heartbeat at Now already, so its second one is a millisecond later, and so on.
        Assert.Equal([Now, Now, Now, Now + 1], first.Select(b => b.Timestamp));
        Assert.Equal([Now + 1, Now + 1, Now + 2, Now + 2], second.Select(b => b.Timestamp));
    }

    [Fact]
    public void Timestamps_follow_the_clock_when_sensors_beat_less_than_once_a_millisecond()
    {
        var generator = new HeartbeatGenerator([1, 2]);
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(2)];

        generator.WriteNext(buffer, 2, Now);
        var later = Parse(buffer, generator.WriteNext(buffer, 2, Now + 5_000));

        Assert.All(later, b => Assert.Equal(Now + 5_000, b.Timestamp));
        Assert.Equal(0, generator.MaxLeadMilliseconds(Now + 5_000));
    }

    [Fact]
    public void No_two_heartbeats_share_a_sensor_and_timestamp_even_from_many_threads_in_the_same_millisecond()
    {
        var generator = new HeartbeatGenerator(Enumerable.Range(1, 37).Select(i => (long)i).ToArray());
        var bodies = new List<Beat>[4];

        Parallel.For(0, 4, thread =>
        {
            var buffer = new byte[HeartbeatGenerator.MaxBodyLength(50)];
            bodies[thread] = Enumerable.Range(0, 200).SelectMany(_ => Parse(buffer, generator.WriteNext(buffer, 50, Now))).ToList();
        });

        var all = bodies.SelectMany(b => b).ToList();
        Assert.Equal(40_000, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(40_000, generator.Generated);
        // 37 sensors share 40,000 heartbeats stamped in one millisecond: up to 1,082 each, so the last runs 1,081 ms ahead.
        Assert.Equal(1_081, generator.MaxLeadMilliseconds(Now));
    }

    [Fact]
    public void The_legacy_form_is_a_query_string_with_epoch_milliseconds()
    {
        var generator = new HeartbeatGenerator([42, 43]);

        Assert.Equal("sensor_id=42&timestamp=1795860300123", generator.NextLegacyQuery(Now));
        Assert.Equal("sensor_id=43&timestamp=1795860300123", generator.NextLegacyQuery(Now));
        Assert.Equal("sensor_id=42&timestamp=1795860300124", generator.NextLegacyQuery(Now));
    }

    [Fact]
    public void The_buffer_size_holds_the_longest_ids_and_timestamps()
    {
        var generator = new HeartbeatGenerator([long.MaxValue, long.MaxValue - 1]);
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(3)];

        var beats = Parse(buffer, generator.WriteNext(buffer, 3, long.MaxValue - 10));

        Assert.Equal([long.MaxValue, long.MaxValue - 1, long.MaxValue], beats.Select(b => b.SensorId));
    }

    [Fact]
    public void Heartbeats_outside_the_turn_name_the_sensors_asked_for_and_keep_timestamps_distinct()
    {
        var generator = new HeartbeatGenerator([5, 6, 7]);
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(3)];

        var probe = Parse(buffer, generator.WriteFor(buffer, firstSensor: 2, count: 2, Now));
        var next = Parse(buffer, generator.WriteNext(buffer, 3, Now));

        Assert.Equal([new Beat(7, Now), new Beat(5, Now)], probe);
        Assert.Equal([new Beat(5, Now + 1), new Beat(6, Now), new Beat(7, Now + 1)], next);
        Assert.Equal(3, generator.Generated);
    }

    internal static List<Beat> Parse(byte[] buffer, int length)
    {
        using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
        var items = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().ToList() : [json.RootElement];
        return items.Select(item =>
        {
            Assert.Equal(["sensorId", "timestamp"], item.EnumerateObject().Select(p => p.Name));
            return new Beat(item.GetProperty("sensorId").GetInt64(), item.GetProperty("timestamp").GetInt64());
        }).ToList();
    }

    internal sealed record Beat(long SensorId, long Timestamp);
}
