using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class GroundTruthCsvTests
{
    [Fact]
    public void Each_registered_sensor_is_one_row_with_its_script_in_utc()
    {
        var fleet = FleetOf(
            Sensor(SensorFate.Healthy, intervalSeconds: 12, number: 1),
            Sensor(SensorFate.Die, intervalSeconds: 30, deathAt: new DateTimeOffset(2026, 11, 28, 11, 12, 13, 456, TimeSpan.FromHours(2)), number: 2),
            Sensor(SensorFate.Degrade, intervalSeconds: 5, degradeStart: CreatedAt.AddMinutes(20), deathAt: CreatedAt.AddMinutes(200), number: 3),
            Sensor(SensorFate.Flap, intervalSeconds: 60, number: 4),
            Sensor(number: 5) with { Id = null, Key = null });

        var csv = GroundTruthCsv.Format(fleet);

        Assert.Equal(
            """
            sensor_id,tag,fate,interval_seconds,degrade_start,death_at
            1001,sim-test01-0001,healthy,12,,
            1002,sim-test01-0002,die,30,,2026-11-28T09:12:13Z
            1003,sim-test01-0003,degrade,5,2026-11-28T10:20:00Z,2026-11-28T13:20:00Z
            1004,sim-test01-0004,flap,60,,

            """.ReplaceLineEndings("\n"),
            csv);
    }

    [Fact]
    public void Writing_replaces_the_previous_file()
    {
        using var temp = new TempDirectory();
        GroundTruthCsv.Write(temp.Path, FleetOf(Sensor(number: 1), Sensor(number: 2)));
        GroundTruthCsv.Write(temp.Path, FleetOf(Sensor(SensorFate.Flap, number: 7)));

        var lines = File.ReadAllLines(Path.Combine(temp.Path, "ground-truth.csv"));

        Assert.Equal([GroundTruthCsv.Header, "1007,sim-test01-0007,flap,10,,"], lines);
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_tag_with_a_comma_or_a_quote_is_quoted()
    {
        var fleet = FleetOf(Sensor(number: 1) with { Tag = "pump, west" }, Sensor(number: 2) with { Tag = "the \"old\" one" });

        var lines = GroundTruthCsv.Format(fleet).Split('\n');

        Assert.Equal(["1001,\"pump, west\",healthy,10,,", "1002,\"the \"\"old\"\" one\",healthy,10,,"], lines[1..3]);
    }
}
