using Sensors360.History;
using Sensors360.Simulator.History;
using static Sensors360.Simulator.Tests.History.HistoryTestData;

namespace Sensors360.Simulator.Tests.History;

public sealed class HistoryPlannerTests
{
    [Fact]
    public void The_same_seed_and_end_give_the_same_plan()
    {
        var first = HistoryPlanner.Plan(Options(o => o.Slots = 50), EndAt);
        var second = HistoryPlanner.Plan(Options(o => o.Slots = 50), EndAt);

        Assert.Equal(Describe(first), Describe(second));
        Assert.NotEqual(Describe(first), Describe(HistoryPlanner.Plan(Options(o => (o.Slots, o.Seed) = (50, 43)), EndAt)));
    }

    [Fact]
    public void A_slot_keeps_its_sensors_when_other_slots_or_other_purposes_change()
    {
        var small = HistoryPlanner.Plan(Options(o => o.Slots = 10), EndAt);
        var large = HistoryPlanner.Plan(Options(o => (o.Slots, o.FlapShare) = (20, 0.5)), EndAt);

        Assert.Equal(
            small.Sensors.Select(s => (s.Slot, s.Generation, s.InstalledAt, s.DeathAt, s.IntervalSeconds, s.KeyHash, s.DegradeStart)).Order(),
            large.Sensors.Where(s => s.Slot <= 10).Select(s => (s.Slot, s.Generation, s.InstalledAt, s.DeathAt, s.IntervalSeconds, s.KeyHash, s.DegradeStart)).Order());
    }

    [Fact]
    public void Lifetimes_follow_the_weibull_distribution()
    {
        var options = Options(o => o.Slots = 3000);
        var lifetimes = HistoryPlanner.Plan(options, EndAt).Sensors.Select(s => (s.DeathAt - s.InstalledAt).TotalDays).ToArray();

        // The mean of a Weibull is scale × Γ(1 + 1/shape), which is the integral of its survival function.
        var expectedMean = Integrate(x => Math.Exp(-Math.Pow(x / options.LifetimeScaleDays, options.LifetimeShape)), 0, 10 * options.LifetimeScaleDays);
        Assert.True(lifetimes.Length > 8000, $"{lifetimes.Length} lifetimes");
        Assert.InRange(lifetimes.Average(), expectedMean * 0.97, expectedMean * 1.03);

        // And its median is scale × (ln 2)^(1/shape).
        var median = lifetimes.Order().ElementAt(lifetimes.Length / 2);
        var expectedMedian = options.LifetimeScaleDays * Math.Pow(Math.Log(2), 1 / options.LifetimeShape);
        Assert.InRange(median, expectedMedian * 0.96, expectedMedian * 1.04);
    }

    [Fact]
    public void The_warning_share_of_deaths_is_degrading_and_degradation_lasts_as_configured()
    {
        var options = Options(o => o.Slots = 3000);
        var sensors = HistoryPlanner.Plan(options, EndAt).Sensors;

        var share = sensors.Count(s => s.Failure == HistoryFailure.Degrading) / (double)sensors.Count;
        Assert.InRange(share, options.WarningShare - 0.02, options.WarningShare + 0.02);
        Assert.All(sensors.Where(s => s.Failure == HistoryFailure.Degrading), s =>
        {
            Assert.InRange((s.DeathAt - s.DegradeStart!.Value).TotalDays, 0, options.DegradeMaxDays + 1e-6);
            Assert.True(s.DegradeStart == s.InstalledAt || (s.DeathAt - s.DegradeStart.Value).TotalDays >= options.DegradeMinDays - 1e-6);
            Assert.InRange(s.DegradeFactor, options.DegradeFactorMin, options.DegradeFactorMax);
        });
        Assert.All(sensors.Where(s => s.Failure == HistoryFailure.Sudden), s => Assert.Null(s.DegradeStart));
        Assert.InRange(sensors.Count(s => s.Flapping) / (double)sensors.Count, options.FlapShare - 0.015, options.FlapShare + 0.015);
    }

    [Fact]
    public void Each_slot_is_a_chain_of_sensors_each_replaced_in_the_same_slot_after_the_delay()
    {
        var options = Options(o => o.Slots = 200);
        var plan = HistoryPlanner.Plan(options, EndAt, firstId: 501);
        var byId = plan.Sensors.ToDictionary(s => s.Id);

        Assert.Equal(Enumerable.Range(501, plan.Sensors.Count).Select(i => (long)i), plan.Sensors.Select(s => s.Id));
        Assert.True(plan.Sensors.Zip(plan.Sensors.Skip(1)).All(p => p.First.InstalledAt <= p.Second.InstalledAt), "ids follow installation");
        Assert.All(plan.Sensors, s => Assert.True(s.InstalledAt <= EndAt));
        Assert.All(plan.Sensors.Where(s => s.RetiredAt is not null), s =>
        {
            var next = byId[s.ReplacedBy!.Value];
            Assert.Equal((s.Slot, s.Generation + 1, s.RetiredAt), (next.Slot, next.Generation, (DateTimeOffset?)next.InstalledAt));
            Assert.InRange(s.RetiredAt!.Value - s.DeathAt, options.ReplaceDelayMin, options.ReplaceDelayMax);
        });

        foreach (var slot in plan.Sensors.GroupBy(s => s.Slot))
        {
            Assert.Equal(plan.WindowStart - TimeSpan.FromDays(options.FleetAgeDays), slot.Min(s => s.InstalledAt));
            // Only the newest sensor of a slot is still in service (or dead and awaiting its replacement).
            Assert.Single(slot, s => s.RetiredAt is null);
            Assert.Equal(slot.Max(s => s.Generation), slot.Single(s => s.RetiredAt is null).Generation);
        }
    }

    [Fact]
    public void Sensors_are_tagged_and_labelled_by_seed_slot_and_generation()
    {
        var sensor = HistoryPlanner.Plan(Options(o => (o.Slots, o.Seed) = (3, 7)), EndAt).Sensors.First(s => s.Slot == 3 && s.Generation == 2);

        Assert.Equal("hist-7-0003-2", sensor.Tag);
        Assert.Equal("3", sensor.Labels["slot"]);
        Assert.Equal("history-7", sensor.Labels["fleet"]);
        Assert.Contains("site", sensor.Labels.Keys);
        Assert.Contains("kind", sensor.Labels.Keys);
        Assert.Matches("^[0-9a-f]{64}$", sensor.KeyHash);
        Assert.InRange(sensor.IntervalSeconds, 300, 900);
    }

    [Fact]
    public void Truth_rows_agree_with_the_plan()
    {
        var plan = HistoryPlanner.Plan(Options(o => o.Slots = 100), EndAt);

        var rows = HistoryTruthCsv.Parse(HistoryTruthCsv.Format(plan.Sensors.Select(s => s.ToTruthRow())));

        Assert.Equal(plan.Sensors.Count, rows.Count);
        foreach (var (sensor, row) in plan.Sensors.Zip(rows))
        {
            Assert.Equal((sensor.Id, sensor.Tag, sensor.Slot, sensor.Failure, sensor.IntervalSeconds, sensor.Flapping),
                (row.SensorId, row.Tag, row.Slot, row.Failure, row.IntervalSeconds, row.Flapping));
            Assert.Equal(Seconds(sensor.InstalledAt), row.InstalledAt);
            Assert.Equal(Seconds(sensor.DeathAt), row.DeathAt);
            Assert.Equal(sensor.DegradeStart is { } start ? Seconds(start) : null, row.DegradeStart);
            Assert.Equal(sensor.RetiredAt is { } retired ? Seconds(retired) : null, row.RetiredAt);
        }
    }

    private static string Describe(HistoryPlan plan) =>
        HistoryTruthCsv.Format(plan.Sensors.Select(s => s.ToTruthRow())) + string.Join(",", plan.Sensors.Select(s => s.KeyHash + s.Labels["site"]));

    private static DateTimeOffset Seconds(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static double Integrate(Func<double, double> f, double from, double to, int steps = 100_000)
    {
        var h = (to - from) / steps;
        var sum = (f(from) + f(to)) / 2;
        for (var i = 1; i < steps; i++)
        {
            sum += f(from + i * h);
        }

        return sum * h;
    }
}
