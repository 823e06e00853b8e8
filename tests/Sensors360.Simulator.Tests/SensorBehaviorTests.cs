using Sensors360.Simulator.Behaviour;
using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class SensorBehaviorTests
{
    [Fact]
    public void Jitter_keeps_every_gap_within_the_configured_fraction_of_the_interval()
    {
        var behavior = Behavior(Sensor(intervalSeconds: 30), Options(o => o.Jitter = 0.2));

        var gaps = Gaps(Beats(behavior, CreatedAt, CreatedAt.AddDays(1)));

        Assert.True(gaps.Count > 2500);
        Assert.All(gaps, gap => Assert.InRange(gap.TotalSeconds, 24, 36));
        // And the jitter is really there, using most of its range.
        Assert.True(gaps.Min().TotalSeconds < 25 && gaps.Max().TotalSeconds > 35);
        Assert.InRange(gaps.Average(g => g.TotalSeconds), 29.5, 30.5);
    }

    [Fact]
    public void Without_jitter_a_healthy_sensor_beats_exactly_on_its_interval()
    {
        var behavior = Behavior(Sensor(intervalSeconds: 30), Options(o => o.Jitter = 0));

        Assert.All(Gaps(Beats(behavior, CreatedAt, CreatedAt.AddHours(1))), gap => Assert.Equal(TimeSpan.FromSeconds(30), gap));
    }

    [Fact]
    public void The_first_beat_comes_within_one_interval()
    {
        var firsts = Enumerable.Range(1, 200)
            .Select(n => Behavior(Sensor(intervalSeconds: 60, number: n)).FirstBeat(CreatedAt)!.Value - CreatedAt)
            .ToArray();

        Assert.All(firsts, first => Assert.InRange(first.TotalSeconds, 0, 60));
        // Spread out, so a fleet does not beat all at once.
        Assert.True(firsts.Min().TotalSeconds < 10 && firsts.Max().TotalSeconds > 50);
    }

    [Fact]
    public void A_dying_sensor_beats_until_its_death_time_and_never_after()
    {
        var deathAt = CreatedAt.AddMinutes(37);
        var behavior = Behavior(Sensor(SensorFate.Die, intervalSeconds: 10, deathAt: deathAt));

        var beats = Beats(behavior, CreatedAt, CreatedAt.AddDays(1));

        Assert.All(beats, beat => Assert.True(beat < deathAt));
        Assert.True(beats[^1] > deathAt.AddSeconds(-13), "it beat normally right up to its death");
        Assert.Null(behavior.NextBeat(beats[^1]));
        Assert.Null(behavior.NextBeat(deathAt.AddHours(5)));
        Assert.Null(behavior.FirstBeat(deathAt.AddSeconds(1)));
        Assert.Null(behavior.Admit(deathAt));
        Assert.Equal(SensorPhase.Alive, behavior.PhaseAt(deathAt.AddTicks(-1)));
        Assert.Equal(SensorPhase.Dead, behavior.PhaseAt(deathAt));
    }

    [Fact]
    public void A_degrading_sensor_beats_ever_more_slowly_across_its_window_and_dies_at_the_end()
    {
        var options = Options(o =>
        {
            o.Jitter = 0;
            o.DegradeFactor = 6;
        });
        var start = CreatedAt.AddMinutes(30);
        var deathAt = start + options.DegradeDuration;
        var behavior = Behavior(Sensor(SensorFate.Degrade, intervalSeconds: 20, degradeStart: start, deathAt: deathAt), options);

        var beats = Beats(behavior, CreatedAt, CreatedAt.AddDays(1));
        var before = Gaps(beats.Where(b => b <= start).ToList());
        var during = Gaps(beats.Where(b => b >= start).ToList());

        Assert.All(before, gap => Assert.Equal(TimeSpan.FromSeconds(20), gap));
        Assert.True(during.Count > 100);
        for (var i = 1; i < during.Count; i++)
        {
            Assert.True(during[i] > during[i - 1], $"gap {i} ({during[i]}) should exceed gap {i - 1} ({during[i - 1]})");
        }

        Assert.True(during[^1] >= TimeSpan.FromSeconds(5 * 20), $"the last gap ({during[^1]}) should be at least 5× the interval");
        Assert.All(beats, beat => Assert.True(beat < deathAt));
        Assert.True(beats[^1] > deathAt.AddSeconds(-6 * 20), "it kept beating until the end of its window");
        Assert.Null(behavior.NextBeat(beats[^1]));
    }

    [Fact]
    public void A_degrading_sensors_interval_grows_monotonically_from_normal_to_the_factor()
    {
        var options = Options(o => o.DegradeFactor = 6);
        var start = CreatedAt.AddHours(1);
        var behavior = Behavior(Sensor(SensorFate.Degrade, intervalSeconds: 10, degradeStart: start, deathAt: start.AddHours(3)), options);

        var samples = Enumerable.Range(0, 181).Select(minute => behavior.IntervalAt(start.AddMinutes(minute))).ToArray();

        Assert.Equal(TimeSpan.FromSeconds(10), behavior.IntervalAt(start.AddMinutes(-1)));
        Assert.Equal(TimeSpan.FromSeconds(10), samples[0]);
        Assert.Equal(60, samples[^1].TotalSeconds, precision: 6);
        Assert.True(samples.Zip(samples.Skip(1)).All(pair => pair.Second > pair.First));
        Assert.Equal(SensorPhase.Alive, behavior.PhaseAt(start.AddTicks(-1)));
        Assert.Equal(SensorPhase.Degrading, behavior.PhaseAt(start.AddMinutes(90)));
        Assert.Equal(SensorPhase.Dead, behavior.PhaseAt(start.AddHours(3)));
    }

    [Fact]
    public void A_flapping_sensor_falls_silent_for_more_than_ten_minutes_at_a_time_and_comes_back()
    {
        var behavior = Behavior(Sensor(SensorFate.Flap, intervalSeconds: 15));
        var until = CreatedAt.AddDays(2);

        var beats = Beats(behavior, CreatedAt, until);
        var silences = behavior.Flap!.SilencesUntil(until);

        Assert.True(silences.Count >= 40, $"{silences.Count} silences in two days");
        Assert.All(silences, silence =>
        {
            Assert.True(silence.End - silence.Start > TimeSpan.FromMinutes(10));
            Assert.DoesNotContain(beats, beat => beat >= silence.Start && beat < silence.End);
        });

        // Between silences it beats as a healthy sensor would: nothing longer than the interval plus jitter.
        var gaps = Gaps(beats);
        var longGaps = gaps.Where(g => g > TimeSpan.FromSeconds(18)).ToList();
        Assert.All(longGaps, gap => Assert.True(gap > TimeSpan.FromMinutes(10)));
        Assert.InRange(longGaps.Count, silences.Count - 1, silences.Count);
        Assert.True(beats[^1] > until.AddHours(-1), "it is still beating after two days");
    }

    [Fact]
    public void A_flapping_sensor_reports_its_silences_as_a_phase_and_resumes_at_their_end()
    {
        var behavior = Behavior(Sensor(SensorFate.Flap, intervalSeconds: 15));
        var silence = behavior.Flap!.SilencesUntil(CreatedAt.AddHours(3))[1];

        Assert.Equal(SensorPhase.FlappingSilent, behavior.PhaseAt(silence.Start));
        Assert.Equal(SensorPhase.Alive, behavior.PhaseAt(silence.End));
        Assert.Equal(silence.End, behavior.Admit(silence.Start.AddMinutes(1)));
        Assert.Equal(silence.End, behavior.NextBeat(silence.Start.AddSeconds(-1)));
    }

    [Fact]
    public void The_flap_schedule_replays_identically_after_a_restart()
    {
        var sensor = Sensor(SensorFate.Flap, intervalSeconds: 15);
        var original = Behavior(sensor).Flap!.SilencesUntil(CreatedAt.AddDays(1));

        // A restarted simulator asks about "now" first, without having walked through the earlier periods.
        var restarted = Behavior(sensor).Flap!;
        var late = original[^3];
        Assert.Equal(late, restarted.SilenceAt(late.Start.AddMinutes(1)));
        Assert.Equal(original, restarted.SilencesUntil(CreatedAt.AddDays(1)));
    }

    [Fact]
    public void A_retry_after_pushes_the_next_beat_back_but_not_past_death()
    {
        var behavior = Behavior(Sensor(SensorFate.Die, intervalSeconds: 10, deathAt: CreatedAt.AddMinutes(10)), Options(o => o.Jitter = 0));

        Assert.Equal(CreatedAt.AddSeconds(10), behavior.NextBeat(CreatedAt));
        Assert.Equal(CreatedAt.AddSeconds(120), behavior.NextBeat(CreatedAt, notBefore: CreatedAt.AddSeconds(120)));
        Assert.Equal(CreatedAt.AddSeconds(10), behavior.NextBeat(CreatedAt, notBefore: CreatedAt.AddSeconds(3)));
        Assert.Null(behavior.NextBeat(CreatedAt, notBefore: CreatedAt.AddMinutes(11)));
    }

    private static List<TimeSpan> Gaps(List<DateTimeOffset> beats) => beats.Zip(beats.Skip(1), (a, b) => b - a).ToList();
}
