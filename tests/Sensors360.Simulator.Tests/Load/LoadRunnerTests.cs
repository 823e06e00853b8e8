using HdrHistogram;

namespace Sensors360.Simulator.Tests.Load;

public sealed class LoadRunnerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Uri Ingestion = new("http://ingestion.test/api/heartbeats");

    [Fact]
    public async Task As_fast_as_answered_it_keeps_every_sender_busy_for_the_duration_and_measures_after_the_warm_up()
    {
        var time = new FakeTimeProvider(Start);
        // Each answer takes 1 ms of the clock: one sender sends 1,000 requests a second.
        var handler = new FakeHttpHandler((_, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            return FakeHttpHandler.Answer(HttpStatusCode.Accepted, """{"accepted":10}""");
        });
        var options = Options(o => (o.Concurrency, o.BatchSize, o.Warmup, o.Duration) = (1, 10, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time));

        // The first request (ready check), then 1,200 of the load, sent from 0 to 1,199 ms; the measured second holds the
        // answers that arrived from 200 ms to just before 1,200 ms.
        Assert.Equal(1 + 1_200, handler.Requests.Count);
        Assert.Equal((1_200, 12_000), (run.Stats.All.Requests, run.Stats.All.AcceptedHeartbeats));
        Assert.Equal((1_000, 10_000), (run.Stats.Measured.Requests, run.Stats.Measured.AcceptedHeartbeats));
        Assert.Equal(1.0, run.MeasuredSeconds, 3);
        Assert.Equal(1_000, run.Stats.Measured.Latency.GetValueAtPercentile(99));
        Assert.Null(run.NotReady);
        Assert.False(run.Stopped);
    }

    [Fact]
    public async Task A_target_rate_spaces_the_requests_evenly()
    {
        var time = new FakeTimeProvider(Start);
        var sentAt = new List<DateTimeOffset>();
        var handler = new FakeHttpHandler((_, _) =>
        {
            lock (sentAt)
            {
                sentAt.Add(time.GetUtcNow());
            }

            return FakeHttpHandler.Answer(HttpStatusCode.Accepted);
        });
        // 100 heartbeats/s in requests of 5: a request every 50 ms.
        var options = Options(o => (o.Rate, o.BatchSize, o.Concurrency, o.Warmup, o.Duration) = (100, 5, 4, TimeSpan.Zero, TimeSpan.FromSeconds(2)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time));

        Assert.Equal(40, run.Stats.All.Requests);
        Assert.Equal(200, run.Stats.All.AcceptedHeartbeats);
        // The schedule starts when the ready check (the first request) succeeded, here at once.
        var scheduleStart = sentAt[0];
        // Each on its slot, 50 ms apart from the start of the schedule, whichever of the four senders took it.
        var load = sentAt.Skip(1).Order().Select(at => (at - scheduleStart).TotalMilliseconds);
        Assert.Equal(Enumerable.Range(0, 40).Select(k => k * 50.0), load);

        Assert.Equal(0, run.SkippedHeartbeats);
    }

    [Fact]
    public async Task With_a_rate_latency_counts_from_the_schedule_so_a_stall_shows_in_every_request_it_held_back()
    {
        var time = new FakeTimeProvider(Start);
        var count = 0;
        // 100 requests/s, one sender; answers take no time, except the 50th of the load: 500 ms.
        var handler = new FakeHttpHandler((_, _) =>
        {
            if (Interlocked.Increment(ref count) == 51)
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
            }

            return FakeHttpHandler.Answer(HttpStatusCode.Accepted);
        });
        var options = Options(o => (o.Rate, o.BatchSize, o.Concurrency, o.Warmup, o.Duration) = (100, 1, 1, TimeSpan.Zero, TimeSpan.FromSeconds(2)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time));

        // The ~50 slots that fell due during the stall went out late, back to back: measured from their slots they
        // waited 490, 480, … ms. From their actual send (service time) only the stalled request was slow.
        var latency = run.Stats.All.Latency;
        var service = run.Stats.All.ServiceTime;
        Assert.Equal(200, latency.TotalCount);
        Assert.Equal(0, run.SkippedHeartbeats);
        Assert.InRange(service.GetValueAtPercentile(90), 0, 20_000);
        Assert.InRange(service.GetMaxValue(), 500_000, 520_000);
        Assert.InRange(latency.GetValueAtPercentile(90), 200_000, 520_000);
        Assert.InRange(latency.GetMaxValue(), 500_000, 520_000);
        Assert.InRange(run.MaxSendDelayMilliseconds!.Value, 480, 520);
    }

    [Fact]
    public async Task A_fleet_sends_each_sensor_once_an_interval_at_its_own_phase_and_every_heartbeat_however_late()
    {
        var time = new FakeTimeProvider(Start);
        var sent = new List<(DateTimeOffset At, long SensorId, long Timestamp)>();
        var count = 0;
        // 20 sensors at 10 heartbeats/s: each every 2 s, one heartbeat per request (100 ms hold one); one sender. The
        // 10th request of the load stalls the server for 3 s, three times the backlog after which paced runs skip.
        var handler = new FakeHttpHandler((_, body) =>
        {
            var at = time.GetUtcNow();
            var root = JsonDocument.Parse(body!).RootElement;
            List<JsonElement> beats = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root];
            lock (sent)
            {
                foreach (var beat in beats)
                {
                    sent.Add((at, beat.GetProperty("sensorId").GetInt64(), beat.GetProperty("timestamp").GetInt64()));
                }
            }

            if (Interlocked.Increment(ref count) == 11)
            {
                time.Advance(TimeSpan.FromSeconds(3));
            }

            return FakeHttpHandler.Answer(HttpStatusCode.Accepted);
        });
        var options = Options(o => (o.Fleet, o.Sensors, o.Rate, o.BatchSize, o.Concurrency, o.Warmup, o.Duration) =
            (true, 20, 10, 500, 1, TimeSpan.Zero, TimeSpan.FromSeconds(4)));
        var ids = Enumerable.Range(1, 20).Select(i => (long)i).ToArray();
        var schedule = new FleetSchedule(ids, 10, 500);

        var run = await RunOnClockAsync(time, Runner(options, new LoadTarget(Ingestion, "s360c_key", ids, Legacy: false), handler, time));

        // The ready check names the two sensors that send first; then 4 s of schedule: two heartbeats per sensor, none skipped.
        Assert.Equal([schedule.SensorInTurn(0), schedule.SensorInTurn(1)], sent.Take(2).Select(s => s.SensorId));
        var load = sent.Skip(2).ToList();
        Assert.Equal(40, load.Count);
        Assert.Equal(0, run.SkippedHeartbeats);
        Assert.All(load.GroupBy(s => s.SensorId), sensor => Assert.Equal([2_000L], sensor.Select(s => s.Timestamp).Zip(sensor.Skip(1).Select(s => s.Timestamp), (a, b) => b - a)));
        // Each heartbeat carries its due time, 100 ms after the previous one, whenever it went out: those held back by
        // the stall went out up to 3 s late, with their own timestamps.
        var start = load[0].Timestamp;
        Assert.Equal(Enumerable.Range(0, 40).Select(k => start + (k * 100L)), load.Select(s => s.Timestamp));
        Assert.InRange(load.Max(s => s.At.ToUnixTimeMilliseconds() - s.Timestamp), 2_800, 3_100);
        Assert.InRange(run.MaxSendDelayMilliseconds!.Value, 2_800, 3_100);
        Assert.InRange(run.Stats.All.Latency.GetMaxValue(), 2_800_000, 3_100_000);
        // Timestamps count from the start of the load (a millisecond after the ready check's, never the same).
        Assert.InRange(start - run.Window!.LoadStartedAt.ToUnixTimeMilliseconds(), 0, 1);
        Assert.Equal(TimeSpan.FromSeconds(2), run.Fleet!.Interval);
    }

    [Fact]
    public async Task Answers_are_told_apart_by_status_with_timeouts_and_transport_errors_on_their_own()
    {
        var time = new FakeTimeProvider(Start);
        var count = 0;
        var handler = new FakeHttpHandler((_, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            return (count++ % 6) switch
            {
                0 => FakeHttpHandler.Answer(HttpStatusCode.Accepted),
                1 => FakeHttpHandler.Problem(HttpStatusCode.TooManyRequests, "Too many requests", "The key exceeded 2000 requests/s."),
                2 => FakeHttpHandler.Problem(HttpStatusCode.ServiceUnavailable, "Unavailable", "The broker did not confirm."),
                3 => FakeHttpHandler.Problem(HttpStatusCode.UnprocessableEntity, "Unprocessable", "'timestamp' is in the future."),
                4 => throw new HttpRequestException("Connection refused (ingestion.test:80)"),
                _ => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout."),
            };
        });
        var options = Options(o => (o.Concurrency, o.BatchSize, o.Warmup, o.Duration) = (1, 3, TimeSpan.Zero, TimeSpan.FromMilliseconds(120)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time));

        // The ready check took the first 202; the load's 120 requests went round the six answers 20 times.
        var all = run.Stats.All;
        Assert.Equal(new Dictionary<int, long> { [202] = 20, [422] = 20, [429] = 20, [503] = 20 }, all.ByStatus);
        Assert.Equal((20, 20), (all.TransportErrors, all.Timeouts));
        Assert.Equal((120, 20, 100), (all.Requests, all.Succeeded, all.Failed));
        Assert.Equal((360, 60), (all.Heartbeats, all.AcceptedHeartbeats));
        Assert.Equal("429 Too Many Requests: The key exceeded 2000 requests/s.", run.ErrorSamples["429"]);
        Assert.Equal("Connection refused (ingestion.test:80)", run.ErrorSamples["transport"]);
        Assert.Contains("no answer within", run.ErrorSamples["timeout"]);
    }

    [Fact]
    public async Task The_load_waits_until_a_first_request_is_accepted()
    {
        var time = new FakeTimeProvider(Start);
        var count = 0;
        var handler = new FakeHttpHandler((_, _) => Interlocked.Increment(ref count) <= 3
            ? FakeHttpHandler.Problem(HttpStatusCode.Forbidden, "Forbidden", "Sensor 10 is not registered.")
            : FakeHttpHandler.Answer(HttpStatusCode.Accepted));
        var progress = new StringWriter();
        var options = Options(o => (o.Rate, o.Warmup, o.Duration) = (10, TimeSpan.Zero, TimeSpan.FromSeconds(1)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time, progress: progress));

        Assert.Null(run.NotReady);
        Assert.Equal(10, run.Stats.All.Requests);
        Assert.Equal(new Dictionary<int, long> { [202] = 10 }, run.Stats.All.ByStatus);
        Assert.Contains("not ready yet (http://ingestion.test/api/heartbeats answered 403 Forbidden: Sensor 10 is not registered.)", progress.ToString());
        // The ready check names the last sensor and the first.
        var first = JsonDocument.Parse(handler.Requests.First().Body!).RootElement;
        Assert.Equal([10L, 1L], first.EnumerateArray().Select(b => b.GetProperty("sensorId").GetInt64()));
    }

    [Fact]
    public async Task A_first_request_that_never_succeeds_stops_the_run_before_any_load()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Problem(HttpStatusCode.Unauthorized, "Unknown key", "No sensor or collector has this key."));
        var options = Options(o => o.ReadyTimeout = TimeSpan.FromSeconds(3));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time));

        Assert.Equal("http://ingestion.test/api/heartbeats answered 401 Unauthorized: No sensor or collector has this key.", run.NotReady);
        // At 0, 1, 2 and 3 s: the last when the ready timeout was up.
        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(0, run.Stats.All.Requests);
    }

    [Fact]
    public async Task The_database_count_gives_persisted_per_second_and_the_drain_after_the_load()
    {
        var time = new FakeTimeProvider(Start);
        var accepted = new List<(DateTimeOffset At, int Count)>();
        var handler = new FakeHttpHandler((_, body) =>
        {
            lock (accepted)
            {
                accepted.Add((time.GetUtcNow(), JsonDocument.Parse(body!).RootElement.GetArrayLength()));
            }

            return FakeHttpHandler.Answer(HttpStatusCode.Accepted);
        });
        // The pipeline stores each accepted request 250 ms later.
        Task<long> CountPersisted(CancellationToken _)
        {
            lock (accepted)
            {
                return Task.FromResult((long)accepted.Where(a => a.At <= time.GetUtcNow() - TimeSpan.FromMilliseconds(250)).Sum(a => a.Count));
            }
        }

        var options = Options(o => (o.Rate, o.BatchSize, o.Warmup, o.Duration) = (100, 10, TimeSpan.Zero, TimeSpan.FromSeconds(1)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time, CountPersisted));

        var persisted = Assert.IsType<PersistedCount>(run.Persisted);
        // Requests at 0, 100, …, 900 ms; by the end (1 s) those up to 700 ms are stored: 80 heartbeats.
        Assert.Equal(80, persisted.DuringMeasurement);
        Assert.Equal(1.0, persisted.MeasuredSeconds, 1);
        Assert.Equal((100, 100, true), (persisted.Total, persisted.Expected, persisted.Complete));
        // The request at 900 ms is stored at 1,150 ms: 150 ms after the end, seen at the next count (every 100 ms).
        Assert.InRange(persisted.Drain!.Value.TotalMilliseconds, 150, 260);
    }

    [Fact]
    public async Task A_database_that_cannot_be_read_at_the_start_stops_the_run_with_the_reason()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.Accepted));

        var error = await Assert.ThrowsAsync<Sensors360.Simulator.Demo.SimulatorException>(() =>
            RunOnClockAsync(time, Runner(Options(_ => { }), Target(), handler, time, _ => throw new InvalidOperationException("password authentication failed"))));

        Assert.Equal("The database could not be read (password authentication failed); check Load:DatabaseConnectionString.", error.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_database_lost_during_the_load_is_said_once_and_the_load_goes_on_without_persisted_figures()
    {
        var time = new FakeTimeProvider(Start);
        var accepted = 0L;
        var handler = new FakeHttpHandler((_, body) =>
        {
            Interlocked.Add(ref accepted, JsonDocument.Parse(body!).RootElement.GetArrayLength());
            return FakeHttpHandler.Answer(HttpStatusCode.Accepted);
        });
        var calls = 0;
        Task<long> CountPersisted(CancellationToken _) => Interlocked.Increment(ref calls) <= 2
            ? Task.FromResult(Interlocked.Read(ref accepted))
            : throw new InvalidOperationException("connection reset");
        var progress = new StringWriter();
        var options = Options(o => (o.Rate, o.BatchSize, o.Warmup, o.Duration, o.DrainTimeout) = (100, 10, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        var run = await RunOnClockAsync(time, Runner(options, Target(), handler, time, CountPersisted, progress));

        Assert.Equal(100, run.Stats.All.AcceptedHeartbeats);
        Assert.Null(run.Persisted);
        Assert.Single(progress.ToString().Split('\n'), line => line.Contains("counting in the database failed (connection reset)"));
    }

    [Fact]
    public async Task The_legacy_form_posts_the_query_string_with_the_key_and_no_body()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new FakeHttpHandler((_, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            return FakeHttpHandler.Answer(HttpStatusCode.Accepted);
        });
        var options = Options(o => (o.Legacy, o.Concurrency, o.Warmup, o.Duration) = (true, 1, TimeSpan.Zero, TimeSpan.FromMilliseconds(3)));
        var target = new LoadTarget(new Uri("http://ingestion.test/api/v0/heartbeat"), "s360c_key", [7, 8], Legacy: true);

        await RunOnClockAsync(time, Runner(options, target, handler, time));

        var ms = Start.ToUnixTimeMilliseconds();
        Assert.Equal(
            [$"http://ingestion.test/api/v0/heartbeat?sensor_id=8&timestamp={ms}", $"http://ingestion.test/api/v0/heartbeat?sensor_id=7&timestamp={ms + 1}",
             $"http://ingestion.test/api/v0/heartbeat?sensor_id=8&timestamp={ms + 2}", $"http://ingestion.test/api/v0/heartbeat?sensor_id=7&timestamp={ms + 3}"],
            handler.Requests.Select(r => r.Uri.ToString()));
        Assert.All(handler.Requests, r => Assert.Equal(("s360c_key", (string?)null, HttpMethod.Post), (r.ApiKey, r.Body, r.Method)));
    }

    [Fact]
    public async Task Any_url_gets_the_same_bodies_and_any_2xx_counts_as_accepted()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new FakeHttpHandler((_, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            return FakeHttpHandler.Answer(HttpStatusCode.OK, "Hello World!", "text/plain");
        });
        var options = Options(o => (o.Url, o.BatchSize, o.Concurrency, o.Warmup, o.Duration) = ("http://hello.test/", 2, 1, TimeSpan.Zero, TimeSpan.FromMilliseconds(5)));
        var target = new LoadTarget(new Uri("http://hello.test/"), LoadProvisioner.PlaceholderKey, [1, 2, 3], Legacy: false);

        var run = await RunOnClockAsync(time, Runner(options, target, handler, time));

        Assert.Equal((5, 10), (run.Stats.All.Succeeded, run.Stats.All.AcceptedHeartbeats));
        Assert.All(handler.Requests, r => Assert.Equal(("http://hello.test/", "application/json"), (r.Uri.ToString(), r.ContentType)));
        Assert.Equal(LoadProvisioner.PlaceholderKey.Length, "s360c_".Length + 43);
    }

    [Fact]
    public async Task Progress_lines_show_the_rates_the_tail_latency_and_the_errors()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.Accepted));
        var progress = new StringWriter();
        var options = Options(o => (o.Rate, o.BatchSize, o.Warmup, o.Duration, o.ProgressInterval) =
            (1_000, 10, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));

        await RunOnClockAsync(time, Runner(options, Target(), handler, time, progress: progress));

        // A line a second until the run ends at 3.5 s, at 100 requests and 1,000 heartbeats a second; the warm-up ends
        // half-way between two lines, so each line's phase is unambiguous. The run's finishing steps may still see the
        // 4 s tick on a busy machine, so a fourth line is allowed.
        var lines = progress.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 3, 4);
        Assert.StartsWith("load    1.0 s warm-up · ", lines[0]);
        Assert.StartsWith("load    2.0 s measuring · ", lines[1]);
        Assert.All(lines[..2], line => Assert.Matches(@" s [a-z-]+ · (9\d|10\d) req/s · (9\d\d|1,0\d\d) hb/s · p99 0\.0 ms · errors 0 \(429: 0\)$", line));
    }

    private static LoadOptions Options(Action<LoadOptions> configure)
    {
        var options = new LoadOptions { IngestionUrl = "http://ingestion.test", Sensors = 10, Concurrency = 2, ReadyTimeout = TimeSpan.FromSeconds(30) };
        configure(options);
        return options;
    }

    private static LoadTarget Target() => new(Ingestion, "s360c_key", Enumerable.Range(1, 10).Select(i => (long)i).ToArray(), Legacy: false);

    private static LoadRunner Runner(
        LoadOptions options, LoadTarget target, FakeHttpHandler handler, FakeTimeProvider time,
        Func<CancellationToken, Task<long>>? countPersisted = null, StringWriter? progress = null) =>
        new(options, target, new HttpClient(handler), time, countPersisted, new ProgressWriter(progress ?? new StringWriter(), inPlace: false));

    /// <summary>Runs the load, moving the clock 5 ms at a time until the run is over (30 s of real time at most).</summary>
    /// <remarks>
    /// The fake handler answers at once, and off xunit's synchronization context every wait of the runner on the clock
    /// resumes inline, on the thread that fires its timer: inside Advance. So when Advance returns, the senders have
    /// sent all that fell due and wait again; the clock never runs ahead of them, however busy the machine is. A run
    /// whose clock moves only with its answers has sent everything before the first step.
    /// </remarks>
    private static Task<LoadRun> RunOnClockAsync(FakeTimeProvider time, LoadRunner runner) => Task.Run(async () =>
    {
        var run = runner.RunAsync(CancellationToken.None);
        await time.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromMilliseconds(5), pause: TimeSpan.Zero);
        return await run;
    });
}
