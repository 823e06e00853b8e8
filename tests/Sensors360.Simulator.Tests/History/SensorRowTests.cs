using Sensors360.Simulator.History;
using Beat = Sensors360.Simulator.History.Beat;
using static Sensors360.Simulator.Tests.History.HistoryTestData;

namespace Sensors360.Simulator.Tests.History;

public sealed class SensorRowTests
{
    [Fact]
    public void A_heard_sensor_is_up_since_its_first_receipt_with_its_own_timings()
    {
        var sensor = Sensor(intervalSeconds: 300);
        var tally = Tally(heardBefore: false, EndAt.AddMinutes(-20), EndAt.AddMinutes(-15), EndAt.AddMinutes(-2));

        var row = SensorRow.From(sensor, 0.2, tally, 12345);

        Assert.Equal(TimeSpan.FromSeconds(60 + 60), row.Grace);
        Assert.Equal(TimeSpan.FromMinutes(15), row.StaleAfter);
        Assert.Equal(EndAt.AddMinutes(-2).AddSeconds(1), row.LastReceivedAt);
        Assert.Equal(EndAt.AddMinutes(-2), row.LastHeartbeatAt);
        Assert.Equal((sensor.InstalledAt, sensor.InstalledAt), (row.CreatedAt, row.FirstHeartbeatAt!.Value));
        // Gaps and deadlines are the monitor's rules, applied in the database by HistoryGenerator.
        Assert.Equal(("up", EndAt.AddMinutes(-20).AddSeconds(1)), (row.State, row.StateSince));
        Assert.Equal(12345, row.HeartbeatCount);
        Assert.Contains("\"fleet\":\"history-42\"", row.LabelsJson);
    }

    [Fact]
    public void A_sensor_installed_before_the_window_is_up_since_it_was_installed()
    {
        var sensor = Sensor(intervalSeconds: 300);

        var row = SensorRow.From(sensor, 0.2, Tally(heardBefore: true, EndAt.AddMinutes(-5)), 500);

        Assert.Equal(("up", sensor.InstalledAt), (row.State, row.StateSince));
    }

    [Fact]
    public void A_sensor_replaced_by_the_end_is_retired_since_its_replacement()
    {
        var sensor = Sensor(deathAt: EndAt.AddDays(-5), retiredAt: EndAt.AddDays(-3));

        var row = SensorRow.From(sensor, 0.2, Tally(heardBefore: false, EndAt.AddDays(-5).AddMinutes(-9)), 100);

        Assert.Equal(("retired", EndAt.AddDays(-3), EndAt.AddDays(-3), 2001L), (row.State, row.StateSince, row.RetiredAt!.Value, row.ReplacedBy!.Value));
    }

    [Fact]
    public void A_sensor_never_heard_is_new_since_it_was_installed_even_when_it_died()
    {
        var sensor = Sensor(deathAt: EndAt.AddHours(-20));

        var row = SensorRow.From(sensor, 0.2, Tally(heardBefore: false), 0);

        Assert.Equal(("new", sensor.InstalledAt), (row.State, row.StateSince));
        Assert.Null(row.LastReceivedAt);
    }

    [Fact]
    public void Grace_is_the_jitter_rounded_up_plus_a_minute()
    {
        Assert.Equal(TimeSpan.FromSeconds(60 + 60), SensorRow.GraceFor(300, 0.2));
        Assert.Equal(TimeSpan.FromSeconds(61 + 60), SensorRow.GraceFor(301, 0.2));
        Assert.Equal(TimeSpan.FromSeconds(180 + 60), SensorRow.GraceFor(900, 0.2));
        Assert.Equal(TimeSpan.FromSeconds(2700), SensorRow.StaleAfterFor(900));
    }

    private static BeatTally Tally(bool heardBefore, params DateTimeOffset[] sensorTimes)
    {
        var tally = new BeatTally(heardBefore);
        foreach (var time in sensorTimes)
        {
            tally.Add(new Beat(time, time.AddSeconds(1)));
        }

        return tally;
    }
}
