using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Prediction;

namespace Sensors360.Monitoring.Tests.Prediction;

public sealed class FailureHistoryTests
{
    static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static DateTimeOffset Day(double d) => Day0.AddDays(d);

    static readonly FailureHistory History = new(
    [
        new(1, Day(0), Day(40), RetiredAt: Day(42)),  // died on day 40, replaced on day 42
        new(2, Day(0), Day(50), RetiredAt: null),     // silent since day 50, never retired
        new(3, Day(10), Day(60), RetiredAt: null),    // still beating at the end
        new(4, Day(55), Day(60), RetiredAt: null),    // installed on day 55
    ], deadAfter: TimeSpan.FromDays(7));

    [Fact]
    public void A_failure_is_known_once_the_sensor_is_retired_or_silent_past_the_dead_after_threshold()
    {
        var one = History.Records[0];
        var two = History.Records[1];

        Assert.Null(History.FailedAt(one, Day(41)));        // not yet retired, silent 1 day
        Assert.Equal(Day(40), History.FailedAt(one, Day(42)));
        Assert.Null(History.FailedAt(two, Day(57)));        // silent exactly 7 days: not yet dead
        Assert.Equal(Day(50), History.FailedAt(two, Day(57.5)));
    }

    [Fact]
    public void What_happened_after_the_moment_is_not_seen()
    {
        // As of day 30, sensor 3's later heartbeats and sensor 4's installation are in the future.
        var lives = History.LivesAt(Day(30));

        Assert.Equal(3, lives.Count);
        Assert.All(lives, life => Assert.False(life.Ended));
        Assert.Equal([30.0, 30, 20], lives.Select(l => l.Duration.TotalDays).ToArray());
        Assert.Empty(History.FailuresKnownAt(Day(30)));
    }

    [Fact]
    public void At_the_end_lives_are_ended_at_their_last_heartbeat_or_censored()
    {
        var lives = History.LivesAt(Day(60));

        Assert.Equal([(40.0, true), (50, true), (50, false), (5, false)], lives.Select(l => (l.Duration.TotalDays, l.Ended)).ToArray());
        Assert.Equal(new Dictionary<long, DateTimeOffset> { [1] = Day(40), [2] = Day(50) }, History.FailuresKnownAt(Day(60)));
    }

    [Fact]
    public void A_sensor_retired_alive_on_purpose_is_not_a_failure_but_censored_at_retirement()
    {
        var history = new FailureHistory(
        [
            new(1, Day(0), Day(30), RetiredAt: Day(30), RetirementReason.ReplacedPreventively),
            new(2, Day(0), Day(20), RetiredAt: Day(30), RetirementReason.Decommissioned),   // silent 10 days when retired: had died
            new(3, Day(0), Day(30), RetiredAt: Day(30), RetirementReason.Failed),
        ], deadAfter: TimeSpan.FromDays(7));

        Assert.Equal(new Dictionary<long, DateTimeOffset> { [2] = Day(20), [3] = Day(30) }, history.FailuresKnownAt(Day(60)));
        Assert.Equal([(30.0, false), (20, true), (30, true)], history.LivesAt(Day(60)).Select(l => (l.Duration.TotalDays, l.Ended)).ToArray());
    }

    [Fact]
    public void Training_snapshots_lie_on_a_fixed_grid_old_enough_for_their_7_day_outcome_to_be_known()
    {
        var options = new PredictionOptions { TrainingStep = TimeSpan.FromDays(1), TrainingSpan = TimeSpan.FromDays(20), LabelDelay = TimeSpan.FromDays(3) };

        var times = ModelTrainer.SnapshotTimes(Day(30.5), options).ToList();

        // Newest: 30.5 − 7 − 3 = 20.5, down to the whole day 20; oldest: day 11 (≥ 30.5 − 20 = 10.5).
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Day(20 - i)).ToList(), times);
    }

    [Fact]
    public async Task Without_enough_failures_the_prior_model_is_kept()
    {
        var model = await ModelTrainer.TrainAsync(Day(60), History, (_, _) => Task.FromResult<IReadOnlyList<SensorFeatures>>([]), new PredictionOptions(), default);

        Assert.Equal(("prior", "prior", Day(60)), (model.Kind, model.AgeCurveKind, model.FittedAt));
        Assert.Equal(PriorModel.Instance.Weights, model.Weights);
    }
}
