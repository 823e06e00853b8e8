using Sensors360.Simulator.Behaviour;
using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class HeartbeatSchedulerTests
{
    private static readonly SimulatorOptions NoJitter = Options(o => o.Jitter = 0);

    [Fact]
    public async Task Every_sensor_beats_on_its_own_cadence()
    {
        var harness = new SchedulerHarness(Options(), sensors:
            [Sensor(intervalSeconds: 5, number: 1), Sensor(intervalSeconds: 12, number: 2), Sensor(intervalSeconds: 60, number: 3)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(10));

        Assert.InRange(harness.BeatsOf(1001).Count, 115, 121);
        Assert.InRange(harness.BeatsOf(1002).Count, 47, 51);
        Assert.InRange(harness.BeatsOf(1003).Count, 9, 11);
        Assert.Equal(harness.Handler.Requests.Count, harness.Stats.Snapshot().Accepted);
        Assert.All(harness.Handler.Requests.Zip(harness.Beats), sent => Assert.Equal($"s360s_key{sent.Second.SensorId - 1000}", sent.First.ApiKey));
    }

    [Fact]
    public async Task A_dying_sensor_sends_nothing_after_its_death_time()
    {
        var deathAt = CreatedAt.AddMinutes(10);
        var harness = new SchedulerHarness(Options(), sensors:
            [Sensor(SensorFate.Die, intervalSeconds: 10, deathAt: deathAt, number: 1), Sensor(intervalSeconds: 10, number: 2)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(30));

        var dying = harness.BeatsOf(1001);
        Assert.InRange(dying.Count, 55, 62);
        Assert.All(dying, beat => Assert.True(beat < deathAt));
        Assert.Contains(harness.BeatsOf(1002), beat => beat > deathAt.AddMinutes(19));
        Assert.Equal(SensorPhase.Dead, harness.Fleet.Sensors[0].PhaseAt(harness.Now));
    }

    [Fact]
    public async Task A_beat_dispatched_late_is_not_sent_after_death()
    {
        // Thirty-second steps make every beat late; the dying sensor's first is due before its death but would go out after it.
        var harness = new SchedulerHarness(NoJitter, sensors:
            [Sensor(SensorFate.Die, intervalSeconds: 10, deathAt: CreatedAt.AddSeconds(15), number: 1), Sensor(intervalSeconds: 10, number: 2)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(5), step: TimeSpan.FromSeconds(30));

        Assert.Empty(harness.BeatsOf(1001));
        Assert.Equal(10, harness.BeatsOf(1002).Count);
    }

    [Fact]
    public async Task A_degrading_sensor_slows_down_then_goes_silent()
    {
        var start = CreatedAt.AddMinutes(10);
        var deathAt = start.AddHours(1);
        var harness = new SchedulerHarness(Options(o => o.DegradeFactor = 6), sensors:
            [Sensor(SensorFate.Degrade, intervalSeconds: 10, degradeStart: start, deathAt: deathAt, number: 1)]);

        await harness.RunForAsync(TimeSpan.FromHours(2), step: TimeSpan.FromSeconds(2));

        var beats = harness.BeatsOf(1001);
        Assert.All(beats, beat => Assert.True(beat < deathAt));
        var firstTenMinutesAfterStart = beats.Count(b => b >= start && b < start.AddMinutes(10));
        var lastTenMinutes = beats.Count(b => b >= deathAt.AddMinutes(-10));
        Assert.InRange(firstTenMinutesAfterStart, 45, 60);
        Assert.InRange(lastTenMinutes, 8, 13);
    }

    [Fact]
    public async Task A_429_holds_back_that_sensor_until_retry_after_and_no_other()
    {
        var throttled = false;
        var harness = new SchedulerHarness(Options(), beat =>
        {
            if (beat.SensorId == 1001 && !throttled)
            {
                throttled = true;
                return SchedulerHarness.WithRetryAfter(HttpStatusCode.TooManyRequests, 120);
            }

            return SchedulerHarness.Accepted(beat);
        }, sensors: [Sensor(intervalSeconds: 10, number: 1), Sensor(intervalSeconds: 10, number: 2)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(5));

        var throttledBeats = harness.BeatsOf(1001);
        Assert.True(throttledBeats[1] - throttledBeats[0] >= TimeSpan.FromSeconds(120));
        Assert.InRange(throttledBeats.Count, 18, 21);
        Assert.InRange(harness.BeatsOf(1002).Count, 28, 31);
        Assert.Equal(1, harness.Stats.Snapshot().RateLimited);
    }

    [Fact]
    public async Task A_503_pauses_every_sensor_for_retry_after_and_then_each_resumes_with_one_beat()
    {
        DateTimeOffset? unavailableAt = null;
        var harness = new SchedulerHarness(NoJitter, beat =>
        {
            if (unavailableAt is null && beat.At >= CreatedAt.AddSeconds(30))
            {
                unavailableAt = beat.At;
                return SchedulerHarness.WithRetryAfter(HttpStatusCode.ServiceUnavailable, 45);
            }

            return SchedulerHarness.Accepted(beat);
        }, sensors: [Sensor(intervalSeconds: 5, number: 1), Sensor(intervalSeconds: 5, number: 2), Sensor(intervalSeconds: 5, number: 3)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(3));

        var resumeAt = unavailableAt!.Value.AddSeconds(45);
        var beats = harness.Beats;
        Assert.DoesNotContain(beats, b => b.At > unavailableAt && b.At < resumeAt);
        // No catching up on the beats missed meanwhile: one each when the pause ends, then the normal cadence.
        Assert.Equal(3, beats.Count(b => b.At >= resumeAt && b.At < resumeAt.AddSeconds(4)));
        Assert.InRange(beats.Count(b => b.At >= resumeAt && b.At < resumeAt.AddSeconds(60)), 36, 39);
        Assert.Equal(1, harness.Stats.Snapshot().Unavailable);
    }

    [Fact]
    public async Task Without_retry_after_a_long_503_outage_is_met_with_backoff_not_a_flood()
    {
        var outageEnds = CreatedAt.AddMinutes(3);
        var harness = new SchedulerHarness(NoJitter, beat => beat.At < outageEnds
                ? FakeHttpHandler.Problem(HttpStatusCode.ServiceUnavailable, "Broker unavailable", "The message broker is down.")
                : SchedulerHarness.Accepted(beat),
            sensors: [Sensor(intervalSeconds: 5, number: 1), Sensor(intervalSeconds: 5, number: 2), Sensor(intervalSeconds: 5, number: 3)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(8));

        var beats = harness.Beats;
        // On cadence, three sensors at 5 s would have sent 108 heartbeats during the outage.
        Assert.InRange(beats.Count(b => b.At < outageEnds), 3, 24);
        // The back-off is over a few minutes later: the normal cadence again.
        Assert.InRange(beats.Count(b => b.At >= outageEnds.AddMinutes(2)), 106, 110);
    }

    [Fact]
    public async Task A_401_soon_after_registration_is_tolerated()
    {
        var harness = new SchedulerHarness(Options(o => o.UnknownKeyGrace = TimeSpan.FromMinutes(2)), beat => beat.At < CreatedAt.AddSeconds(90)
                ? FakeHttpHandler.Problem(HttpStatusCode.Unauthorized, "Unknown key", "No sensor has this key.")
                : SchedulerHarness.Accepted(beat),
            sensors: [Sensor(intervalSeconds: 10, number: 1, registeredAt: CreatedAt)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(5));

        Assert.False(harness.Scheduler.FleetRejected);
        Assert.InRange(harness.Stats.Snapshot().Unauthorized, 8, 10);
        Assert.InRange(harness.BeatsOf(1001).Count(b => b >= CreatedAt.AddSeconds(90)), 20, 22);
    }

    [Fact]
    public async Task A_401_for_keys_that_worked_rejects_the_fleet_and_ends_the_run()
    {
        var harness = new SchedulerHarness(Options(o => o.UnknownKeyGrace = TimeSpan.FromMinutes(2)),
            _ => FakeHttpHandler.Problem(HttpStatusCode.Unauthorized, "Unknown key", "No sensor has this key."),
            keysProven: true,
            sensors: [Sensor(intervalSeconds: 10, number: 1, registeredAt: CreatedAt.AddDays(-1)), Sensor(intervalSeconds: 10, number: 2, registeredAt: CreatedAt.AddDays(-1))]);

        var run = harness.Scheduler.RunAsync(CancellationToken.None);
        await harness.Time.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(10));
        await run;

        Assert.True(harness.Scheduler.FleetRejected);
        Assert.InRange(harness.Handler.Requests.Count, 1, 2);
    }

    [Fact]
    public async Task A_401_is_not_blamed_on_a_reset_while_a_new_fleets_keys_never_worked()
    {
        var accept = false;
        var harness = new SchedulerHarness(Options(o => o.UnknownKeyGrace = TimeSpan.FromMinutes(1)), beat => accept
                ? SchedulerHarness.Accepted(beat)
                : FakeHttpHandler.Problem(HttpStatusCode.Unauthorized, "Unknown key", "No sensor has this key."),
            keysProven: false,
            sensors: [Sensor(intervalSeconds: 10, number: 1, registeredAt: CreatedAt)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(5));
        Assert.False(harness.Scheduler.FleetRejected);

        // Once a key has worked, losing it again does mean the registry forgot it.
        accept = true;
        await harness.RunForAsync(TimeSpan.FromSeconds(30));
        accept = false;
        await harness.RunForAsync(TimeSpan.FromSeconds(30));
        Assert.True(harness.Scheduler.FleetRejected);
    }

    [Fact]
    public async Task A_403_stops_that_sensor_for_good()
    {
        var harness = new SchedulerHarness(Options(), beat => beat.SensorId == 1001
                ? FakeHttpHandler.Problem(HttpStatusCode.Forbidden, "Sensor retired", "Sensor 1001 was retired.")
                : SchedulerHarness.Accepted(beat),
            sensors: [Sensor(intervalSeconds: 10, number: 1), Sensor(intervalSeconds: 10, number: 2)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(5));

        Assert.Single(harness.BeatsOf(1001));
        Assert.InRange(harness.BeatsOf(1002).Count, 29, 31);
        Assert.Equal(SensorPhase.Stopped, harness.Fleet.Sensors[0].PhaseAt(harness.Now));
        Assert.False(harness.Scheduler.FleetRejected);
        Assert.Equal("403 Forbidden: Sensor 1001 was retired.", harness.Stats.Snapshot().LastError);
    }

    [Fact]
    public async Task Other_refusals_and_failures_are_counted_and_the_sensor_keeps_its_cadence()
    {
        var harness = new SchedulerHarness(Options(), beat => beat.SensorId == 1001
                ? FakeHttpHandler.Problem(HttpStatusCode.NotFound, "Not Found", "No such endpoint.")
                : throw new HttpRequestException("Connection refused"),
            sensors: [Sensor(intervalSeconds: 10, number: 1), Sensor(intervalSeconds: 10, number: 2)]);

        await harness.RunForAsync(TimeSpan.FromMinutes(5));

        var stats = harness.Stats.Snapshot();
        Assert.InRange(stats.Other, 58, 62);
        Assert.Equal(stats.Sent, stats.Other);
        Assert.InRange(harness.BeatsOf(1001).Count, 29, 31);
    }

    [Fact]
    public async Task Requests_in_flight_never_exceed_the_concurrency_limit()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new SchedulerHarness(Options(o => o.MaxConcurrency = 2), async (beat, _) =>
            {
                await gate.Task;
                return SchedulerHarness.Accepted(beat);
            },
            keysProven: true,
            sensors: Enumerable.Range(1, 6).Select(n => Sensor(intervalSeconds: 10, number: n)).ToArray());

        harness.Time.Advance(TimeSpan.FromSeconds(10));
        var dispatching = harness.Scheduler.DispatchDueAsync(CancellationToken.None);

        Assert.Equal(2, harness.Handler.InFlight);
        Assert.False(dispatching.IsCompleted);
        gate.SetResult();
        await dispatching.WaitAsync(TimeSpan.FromSeconds(30));
        await harness.Scheduler.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(6, harness.Handler.Requests.Count);
        Assert.Equal(2, harness.Handler.MaxInFlight);
    }

    [Fact]
    public async Task Shutting_down_ends_the_run_promptly()
    {
        var harness = new SchedulerHarness(Options(), sensors: [Sensor(intervalSeconds: 10, number: 1)]);
        using var stopping = new CancellationTokenSource();

        var run = harness.Scheduler.RunAsync(stopping.Token);
        Assert.False(run.IsCompleted);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(harness.Scheduler.FleetRejected);
    }
}
