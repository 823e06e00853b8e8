using System.Text.RegularExpressions;

namespace Sensors360.Simulator.Tests;

public sealed class FleetPlannerTests
{
    private static readonly SimulatorOptions Thousand = TestFleets.Options(o =>
    {
        o.SensorCount = 1000;
        o.DieShare = 0.10;
        o.DegradeShare = 0.10;
        o.FlapShare = 0.05;
    });

    [Fact]
    public void Fate_shares_are_respected()
    {
        var fleet = FleetPlanner.Create(Thousand, "abc123", seed: 7, TestFleets.CreatedAt);

        var counts = fleet.Sensors.GroupBy(s => s.Fate).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1000, fleet.Sensors.Count);
        Assert.Equal(100, counts[SensorFate.Die]);
        Assert.Equal(100, counts[SensorFate.Degrade]);
        Assert.Equal(50, counts[SensorFate.Flap]);
        Assert.Equal(750, counts[SensorFate.Healthy]);
    }

    [Fact]
    public void Fates_are_spread_over_the_fleet_rather_than_in_blocks()
    {
        var fates = FleetPlanner.AssignFates(Thousand, seed: 7);

        // Unshuffled, the scripted fates would fill the first quarter and the other quarters would be all healthy.
        foreach (var block in fates.Chunk(250))
        {
            Assert.Contains(SensorFate.Die, block);
            Assert.Contains(SensorFate.Degrade, block);
            Assert.Contains(SensorFate.Healthy, block);
        }
    }

    [Fact]
    public void The_same_seed_scripts_the_same_fleet_and_another_seed_a_different_one()
    {
        var first = FleetPlanner.Create(Thousand, "abc123", seed: 7, TestFleets.CreatedAt);
        var again = FleetPlanner.Create(Thousand, "abc123", seed: 7, TestFleets.CreatedAt);
        var other = FleetPlanner.Create(Thousand, "abc123", seed: 8, TestFleets.CreatedAt);

        Assert.Equal(Describe(first), Describe(again));
        Assert.NotEqual(Describe(first), Describe(other));
    }

    [Fact]
    public void Fates_for_a_given_seed_never_change()
    {
        // Pinned, so a change to the generator (which would reshuffle stored fleets' flap schedules) is noticed.
        var fates = FleetPlanner.AssignFates(TestFleets.Options(o => o.SensorCount = 20), seed: 12345);

        Assert.Equal("DDHHHHHFHHHHHHHHHGGH", string.Concat(fates.Select(f => f switch
        {
            SensorFate.Die => 'D',
            SensorFate.Degrade => 'G',
            SensorFate.Flap => 'F',
            _ => 'H',
        })));
    }

    [Fact]
    public void Rounded_shares_never_script_more_sensors_than_the_fleet_has()
    {
        var options = TestFleets.Options(o =>
        {
            o.SensorCount = 2;
            o.DieShare = 0.34;
            o.DegradeShare = 0.33;
            o.FlapShare = 0.33;
        });

        var fates = FleetPlanner.AssignFates(options, seed: 1);

        Assert.Equal(2, fates.Length);
        Assert.DoesNotContain(SensorFate.Flap, fates);
    }

    [Fact]
    public void Sensors_get_unique_fleet_scoped_tags_intervals_in_range_and_event_times_in_their_windows()
    {
        var options = TestFleets.Options(o => o.SensorCount = 1000);
        var fleet = FleetPlanner.Create(options, "abc123", seed: 3, TestFleets.CreatedAt);

        Assert.Equal(fleet.Sensors.Count, fleet.Sensors.Select(s => s.Tag).Distinct().Count());
        Assert.Equal("sim-abc123-0001", fleet.Sensors[0].Tag);
        Assert.Equal("sim-abc123-1000", fleet.Sensors[^1].Tag);
        Assert.All(fleet.Sensors, s =>
        {
            Assert.InRange(s.IntervalSeconds, 5, 60);
            Assert.Equal("abc123", s.Labels["fleet"]);
            Assert.False(string.IsNullOrEmpty(s.Labels["site"]));
            Assert.False(string.IsNullOrEmpty(s.Labels["kind"]));
            Assert.False(s.IsRegistered);
            switch (s.Fate)
            {
                case SensorFate.Die:
                    Assert.Null(s.DegradeStart);
                    Assert.InRange(s.DeathAt!.Value, TestFleets.CreatedAt, TestFleets.CreatedAt + options.DeathWindow);
                    break;
                case SensorFate.Degrade:
                    Assert.InRange(s.DegradeStart!.Value, TestFleets.CreatedAt, TestFleets.CreatedAt + options.DegradeOnsetWindow);
                    Assert.Equal(s.DegradeStart + options.DegradeDuration, s.DeathAt);
                    break;
                default:
                    Assert.Null(s.DegradeStart);
                    Assert.Null(s.DeathAt);
                    break;
            }
        });
        Assert.Equal(56, fleet.Sensors.Select(s => s.IntervalSeconds).Distinct().Count());
    }

    [Fact]
    public void Each_fleet_gets_a_fresh_short_id()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => FleetPlanner.NewFleetId()).ToArray();

        Assert.All(ids, id => Assert.Matches(new Regex("^[0-9a-f]{6}$"), id));
        Assert.True(ids.Distinct().Count() > 15);
    }

    private static string Describe(SimulatedFleet fleet) => string.Join('\n', fleet.Sensors.Select(s =>
        $"{s.Tag} {s.Fate} {s.IntervalSeconds} {s.DegradeStart:O} {s.DeathAt:O} {s.Labels["site"]} {s.Labels["kind"]}"));
}
