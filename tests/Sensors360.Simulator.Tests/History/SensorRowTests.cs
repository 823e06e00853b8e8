using Sensors360.Simulator.History;
using static Sensors360.Simulator.Tests.History.HistoryTestData;

namespace Sensors360.Simulator.Tests.History;

public sealed class SensorRowTests
{
    [Fact]
    public void A_live_sensor_is_up_with_the_monitors_deadlines_from_its_last_receipt()
    {
        var sensor = Sensor(intervalSeconds: 300);
        var tally = Tally(sensor, EndAt.AddMinutes(-20), EndAt.AddMinutes(-15), EndAt.AddMinutes(-2));

        var row = SensorRow.From(sensor, 0.2, EndAt, tally, 12345);

        Assert.Equal(TimeSpan.FromSeconds(60 + 60), row.Grace);
        Assert.Equal(TimeSpan.FromMinutes(15), row.StaleAfter);
        Assert.Equal(EndAt.AddMinutes(-2).AddSeconds(1), row.LastReceivedAt);
        Assert.Equal(EndAt.AddMinutes(-2), row.LastHeartbeatAt);
        Assert.Equal(row.LastReceivedAt + TimeSpan.FromSeconds(300 + 120), row.LateAt);
        Assert.Equal(row.LastReceivedAt + TimeSpan.FromMinutes(15), row.DownAt);
        Assert.Equal((sensor.InstalledAt, sensor.InstalledAt), (row.CreatedAt, row.FirstHeartbeatAt!.Value));
        // The 13-minute gap made it late; it has been up since the beat after it.
        Assert.Equal(("up", EndAt.AddMinutes(-2).AddSeconds(1)), (row.State, row.StateSince));
        Assert.Equal(12345, row.HeartbeatCount);
        Assert.Contains("\"fleet\":\"history-42\"", row.LabelsJson);
    }

    [Fact]
    public void A_sensor_replaced_by_the_end_is_retired_since_its_replacement()
    {
        var sensor = Sensor(deathAt: EndAt.AddDays(-5), retiredAt: EndAt.AddDays(-3));

        var row = SensorRow.From(sensor, 0.2, EndAt, Tally(sensor, EndAt.AddDays(-5).AddMinutes(-9)), 100);

        Assert.Equal(("retired", EndAt.AddDays(-3), EndAt.AddDays(-3), 2001L), (row.State, row.StateSince, row.RetiredAt!.Value, row.ReplacedBy!.Value));
    }

    [Fact]
    public void A_dead_sensor_awaiting_replacement_is_down_since_its_deadline_but_never_after_the_end()
    {
        var longDead = Sensor(deathAt: EndAt.AddHours(-20));
        var justDead = Sensor(deathAt: EndAt.AddMinutes(-1));

        var row = SensorRow.From(longDead, 0.2, EndAt, Tally(longDead, EndAt.AddHours(-20).AddMinutes(-3)), 1);
        var recent = SensorRow.From(justDead, 0.2, EndAt, Tally(justDead, EndAt.AddMinutes(-4)), 1);

        Assert.Equal(("down", row.DownAt!.Value), (row.State, row.StateSince));
        Assert.Equal(("down", EndAt), (recent.State, recent.StateSince));
        Assert.True(recent.DownAt > EndAt);
    }

    [Fact]
    public void A_live_sensor_silent_for_longer_than_its_stale_threshold_is_down()
    {
        var sensor = Sensor(intervalSeconds: 300);

        var row = SensorRow.From(sensor, 0.2, EndAt, Tally(sensor, EndAt.AddMinutes(-40)), 1);

        Assert.Equal(("down", EndAt.AddMinutes(-40).AddSeconds(1) + TimeSpan.FromMinutes(15)), (row.State, row.StateSince));
    }

    [Fact]
    public void Grace_is_the_jitter_rounded_up_plus_a_minute()
    {
        Assert.Equal(TimeSpan.FromSeconds(60 + 60), SensorRow.GraceFor(300, 0.2));
        Assert.Equal(TimeSpan.FromSeconds(61 + 60), SensorRow.GraceFor(301, 0.2));
        Assert.Equal(TimeSpan.FromSeconds(180 + 60), SensorRow.GraceFor(900, 0.2));
        Assert.Equal(TimeSpan.FromSeconds(2700), SensorRow.StaleAfterFor(900));
    }

    private static BeatTally Tally(PlannedSensor sensor, params DateTimeOffset[] sensorTimes)
    {
        var tally = new BeatTally(sensor.Interval + SensorRow.GraceFor(sensor.IntervalSeconds, 0.2), sensor.InstalledAt);
        foreach (var time in sensorTimes)
        {
            tally.Add(new Beat(time, time.AddSeconds(1)));
        }

        return tally;
    }
}
