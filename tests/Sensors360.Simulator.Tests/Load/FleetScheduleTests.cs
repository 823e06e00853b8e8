using System.Text;

namespace Sensors360.Simulator.Tests.Load;

public sealed class FleetScheduleTests
{
    private const long Start = 1_795_860_000_000;

    [Fact]
    public void Every_sensor_sends_once_an_interval_exactly_an_interval_apart_each_at_its_own_phase()
    {
        // 10 sensors at 5 heartbeats/s: each every 2 s; a request every 200 ms with one heartbeat (100 ms' worth is less than one).
        var schedule = new FleetSchedule(Enumerable.Range(101, 10).Select(i => (long)i).ToArray(), rate: 5, maxBatch: 500);
        Assert.Equal((TimeSpan.FromSeconds(2), 1, 5.0), (schedule.Interval, schedule.BeatsPerRequest, schedule.RequestsPerSecond));

        var beats = Enumerable.Range(0, 30).SelectMany(r => Parse(schedule, r)).ToList();

        Assert.All(beats.GroupBy(b => b.SensorId), sensor =>
        {
            var times = sensor.Select(b => b.Timestamp).ToList();
            Assert.Equal(3, times.Count);
            Assert.Equal([2_000L, 2_000L], times.Zip(times.Skip(1), (a, b) => b - a));
        });
        // Phases 200 ms apart over the interval, one sensor each; request n is due when its heartbeat is.
        Assert.Equal(Enumerable.Range(0, 10).Select(k => Start + (k * 200L)), beats.Take(10).Select(b => b.Timestamp));
        Assert.Equal(10, beats.Take(10).Select(b => b.SensorId).Distinct().Count());
        Assert.Equal(1.4, schedule.DueSeconds(7), 9);
    }

    [Theory]
    [InlineData(100_000, 500)]
    [InlineData(5_000, 500)]
    [InlineData(2_000, 200)]
    [InlineData(10, 1)]
    public void A_request_carries_up_to_the_batch_size_but_no_more_than_100_ms_of_heartbeats(double rate, int expected)
    {
        var schedule = new FleetSchedule(Enumerable.Range(1, 1_000_000).Select(i => (long)i).ToArray(), rate, maxBatch: 500);

        Assert.Equal(expected, schedule.BeatsPerRequest);
        // A request is due when its last heartbeat is: the first one after (batch − 1) ÷ rate.
        Assert.Equal((expected - 1) / rate, schedule.DueSeconds(0), 9);
        Assert.Equal(((2 * expected) - 1) / rate, schedule.DueSeconds(1), 9);
    }

    [Fact]
    public void A_request_s_sensors_come_from_all_over_the_fleet_in_an_order_that_is_the_same_every_run()
    {
        var ids = Enumerable.Range(1, 10_000).Select(i => (long)i).ToArray();
        var first = new FleetSchedule(ids, rate: 5_000, maxBatch: 500);
        var second = new FleetSchedule(ids, rate: 5_000, maxBatch: 500);

        var request = Parse(first, 0).Select(b => b.SensorId).ToList();

        Assert.Equal(500, request.Count);
        Assert.Equal(request, Parse(second, 0).Select(b => b.SensorId));
        Assert.NotEqual(request.Order(), request);
        Assert.True(request.Max() - request.Min() > 9_000, $"ids {request.Min()}–{request.Max()}");
        // Heartbeats 0.2 ms apart share the millisecond of their due time: 500 of them span 100 ms.
        Assert.Equal(Start + 99, Parse(first, 0)[^1].Timestamp);
    }

    [Fact]
    public void The_ready_check_names_the_sensors_that_send_first()
    {
        var schedule = new FleetSchedule(Enumerable.Range(1, 50).Select(i => (long)i).ToArray(), rate: 10, maxBatch: 500);
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(2)];

        var beats = HeartbeatGeneratorTests.Parse(buffer, schedule.WriteFirstInTurn(buffer, 2, Start - 5));

        Assert.Equal([schedule.SensorOf(0), schedule.SensorOf(1)], beats.Select(b => b.SensorId));
        Assert.All(beats, b => Assert.Equal(Start - 5, b.Timestamp));
    }

    [Theory]
    [InlineData(12.5, 5, 13, 5, 39)]
    [InlineData(18, 5, 18, 5, 54)]
    [InlineData(1, 0, 1, 0, 10)]
    public void The_registry_expects_the_interval_in_whole_seconds_a_small_grace_and_down_after_three_intervals(
        double intervalSeconds, double graceSeconds, int expected, int grace, int stale)
    {
        Assert.Equal(new SensorTimings(expected, grace, stale), FleetSchedule.TimingsFor(TimeSpan.FromSeconds(intervalSeconds), TimeSpan.FromSeconds(graceSeconds)));
    }

    private static List<HeartbeatGeneratorTests.Beat> Parse(FleetSchedule schedule, long request)
    {
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(schedule.BeatsPerRequest)];
        var length = schedule.Write(buffer, request, Start);
        Assert.Equal(schedule.BeatsPerRequest > 1 ? '[' : '{', (char)buffer[0]);
        return HeartbeatGeneratorTests.Parse(buffer, length);
    }
}
