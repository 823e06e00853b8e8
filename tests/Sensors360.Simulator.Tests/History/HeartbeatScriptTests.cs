using Sensors360.Simulator.History;
using static Sensors360.Simulator.Tests.History.HistoryTestData;

namespace Sensors360.Simulator.Tests.History;

public sealed class HeartbeatScriptTests
{
    private static readonly DateTimeOffset WindowStart = EndAt.AddDays(-60);

    [Fact]
    public void A_healthy_sensor_beats_at_its_interval_with_jitter()
    {
        var options = Options(o => (o.MissRate, o.SlowdownsPer30Days) = (0, 0));
        var script = HeartbeatScript.For(Sensor(intervalSeconds: 600), options, WindowStart, EndAt);

        var gaps = Gaps(script.Beats(WindowStart, EndAt));

        Assert.InRange(gaps.Length, 8550, 8730); // 60 days × 144 a day
        Assert.InRange(gaps.Average(), 594, 606);
        Assert.All(gaps, gap => Assert.InRange(gap, 600 * 0.8 - 0.001, 600 * 1.2 + 0.001));
    }

    [Fact]
    public void A_degrading_sensors_gaps_grow_toward_the_factor_before_death_while_a_healthy_ones_stay_near_the_interval()
    {
        var options = Options(o => (o.MissRate, o.DegradeMaxDropRate, o.SlowdownsPer30Days) = (0, 0, 0));
        var death = EndAt.AddDays(-10);
        var onset = death.AddDays(-6);
        var degrading = HeartbeatScript.For(Sensor(deathAt: death, degradeStart: onset, degradeFactor: 6), options, WindowStart, EndAt);
        var healthy = HeartbeatScript.For(Sensor(slot: 2), options, WindowStart, EndAt);

        var before = MeanGap(degrading, onset.AddDays(-3), onset);
        var middle = MeanGap(degrading, onset.AddDays(3), onset.AddDays(3.5));
        var end = MeanGap(degrading, death.AddDays(-0.3), death);

        Assert.InRange(before, 570, 630);
        Assert.InRange(middle, 600 * Math.Sqrt(6) * 0.85, 600 * Math.Sqrt(6) * 1.15);
        Assert.InRange(end, 600 * 6 * 0.8, 600 * 6 * 1.2);
        Assert.InRange(MeanGap(healthy, death.AddDays(-0.3), death), 540, 660);
        Assert.InRange(MeanGap(healthy, onset, death), 580, 620);
    }

    [Fact]
    public void Degradation_loses_ever_more_beats_up_to_the_maximum_drop_rate()
    {
        var options = Options();
        var death = EndAt.AddDays(-10);
        var script = HeartbeatScript.For(Sensor(deathAt: death, degradeStart: death.AddDays(-4), degradeFactor: 4), options, WindowStart, EndAt);

        Assert.Equal(options.MissRate, script.DropRateAt(death.AddDays(-5)));
        Assert.Equal(options.MissRate, script.DropRateAt(death.AddDays(-4)), 9);
        Assert.Equal((options.MissRate + options.DegradeMaxDropRate) / 2, script.DropRateAt(death.AddDays(-2)), 9);
        Assert.Equal(options.DegradeMaxDropRate, script.DropRateAt(death), 9);
        Assert.Equal(600 * 2, script.IntervalAt(death.AddDays(-2)), 6);
    }

    [Fact]
    public void Nothing_is_sent_at_or_after_death_nor_inside_a_flap_silence()
    {
        var options = Options(o => (o.Slots, o.FlapShare) = (60, 1));
        var plan = HistoryPlanner.Plan(options, EndAt);
        var silences = 0;

        foreach (var sensor in plan.Sensors.Where(s => s.DeathAt > plan.WindowStart))
        {
            var script = HeartbeatScript.For(sensor, options, plan.WindowStart, plan.EndAt);
            var beats = script.Beats(sensor.InstalledAt > plan.WindowStart ? sensor.InstalledAt : plan.WindowStart, plan.EndAt).ToList();

            Assert.All(beats, beat => Assert.True(beat.SensorTime < sensor.DeathAt, $"{sensor.Tag} beat at {beat.SensorTime:O}, died {sensor.DeathAt:O}"));
            Assert.All(beats, beat => Assert.DoesNotContain(script.Silences, s => s.Start <= beat.SensorTime && beat.SensorTime < s.End));
            Assert.All(beats, beat => Assert.InRange(beat.ReceivedAt - beat.SensorTime, TimeSpan.Zero, TimeSpan.FromSeconds(2)));
            silences += script.Silences.Count(s => s.Start >= plan.WindowStart);
        }

        // Every 1–5 days over 60: a flapping sensor falls silent some 15–30 times in the window (less if it dies).
        Assert.InRange(silences / (double)plan.Sensors.Count(s => s.DeathAt > plan.WindowStart), 8, 30);
    }

    [Fact]
    public void A_flap_silence_is_a_gap_of_15_to_60_minutes_and_the_sensor_then_carries_on()
    {
        var options = Options(o => (o.MissRate, o.SlowdownsPer30Days) = (0, 0));
        var script = HeartbeatScript.For(Sensor(intervalSeconds: 300, flapping: true), options, WindowStart, EndAt);
        var beats = script.Beats(WindowStart, EndAt).ToList();

        var silence = script.Silences.First(s => s.Start > WindowStart);
        var before = beats.Last(b => b.SensorTime < silence.Start);
        var after = beats.First(b => b.SensorTime >= silence.End);

        Assert.InRange(silence.End - silence.Start, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(60));
        Assert.InRange(after.SensorTime - before.SensorTime, silence.End - silence.Start, silence.End - silence.Start + TimeSpan.FromSeconds(2 * 300 * 1.2));
    }

    [Fact]
    public void Slowdowns_come_at_the_configured_rate_stretch_the_interval_and_stay_clear_of_death()
    {
        var options = Options(o => o.Days = 3000);
        var windowStart = EndAt.AddDays(-3000);
        var death = EndAt.AddDays(-100);
        var script = HeartbeatScript.For(Sensor(installedAt: windowStart.AddDays(-10), deathAt: death), options, windowStart, EndAt);

        var perThirtyDays = script.Slowdowns.Count / ((death - windowStart).TotalDays - options.DegradeMaxDays) * 30;
        Assert.InRange(perThirtyDays, options.SlowdownsPer30Days * 0.75, options.SlowdownsPer30Days * 1.25);
        Assert.All(script.Slowdowns, s =>
        {
            Assert.InRange(s.End - s.Start, TimeSpan.FromHours(2), TimeSpan.FromHours(12));
            Assert.InRange(s.Factor, 1.5, 2.5);
            Assert.True(s.End <= death.AddDays(-options.DegradeMaxDays), "no confounder just before death");
            Assert.Equal(600 * s.Factor, script.IntervalAt(s.Start + (s.End - s.Start) / 2), 6);
        });
    }

    [Fact]
    public void The_same_script_gives_the_same_beats()
    {
        var options = Options();
        var sensor = HistoryPlanner.Plan(Options(o => o.Slots = 1), EndAt).Sensors[^1];

        var first = HeartbeatScript.For(sensor, options, WindowStart, EndAt).Beats(WindowStart, EndAt).ToList();
        var second = HeartbeatScript.For(sensor, options, WindowStart, EndAt).Beats(WindowStart, EndAt).ToList();

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.All(first, b => Assert.Equal(0, b.SensorTime.UtcTicks % TimeSpan.TicksPerMillisecond));
    }

    private static double MeanGap(HeartbeatScript script, DateTimeOffset from, DateTimeOffset to) =>
        Gaps(script.Beats(WindowStart, EndAt).Where(b => b.SensorTime >= from && b.SensorTime <= to)).Average();
}
