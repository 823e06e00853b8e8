using System.Globalization;

namespace Sensors360.Simulator.Tests.Support;

/// <summary>A scheduler over a fake ingestion API and a fake clock, stepped by the test.</summary>
internal sealed class SchedulerHarness
{
    public SchedulerHarness(SimulatorOptions options, Func<Beat, HttpResponseMessage>? respond = null, bool keysProven = true,
        params SimulatedSensor[] sensors)
        : this(options, (beat, _) => Task.FromResult((respond ?? Accepted)(beat)), keysProven, sensors)
    {
    }

    public SchedulerHarness(SimulatorOptions options, Func<Beat, CancellationToken, Task<HttpResponseMessage>> respond, bool keysProven,
        params SimulatedSensor[] sensors)
    {
        Handler = new FakeHttpHandler((request, body) => respond(ParseBeat(body!), CancellationToken.None));
        Fleet = ActiveFleet.Start(TestFleets.FleetOf(sensors), options);
        var client = new HeartbeatClient(new FakeHttpClientFactory(Handler), TestFleets.Wrap(options), Time);
        Scheduler = new HeartbeatScheduler(Fleet.Sensors, keysProven, client, Stats, options, Time, NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; } = new(TestFleets.CreatedAt);

    public SimulatorStats Stats { get; } = new();

    public FakeHttpHandler Handler { get; }

    public ActiveFleet Fleet { get; }

    public HeartbeatScheduler Scheduler { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Every heartbeat the fake API received, in order.</summary>
    public List<Beat> Beats => Handler.Requests.Select(r => ParseBeat(r.Body!)).ToList();

    public List<DateTimeOffset> BeatsOf(long sensorId) => Beats.Where(b => b.SensorId == sensorId).Select(b => b.At).ToList();

    /// <summary>
    /// Advances the clock by <paramref name="step"/> (100 ms unless given) at a time, sending what falls due and
    /// waiting for the answers. A beat goes out up to one step late and the next is timed from when it went out, so
    /// coarse steps stretch every interval by half a step on average.
    /// </summary>
    public async Task RunForAsync(TimeSpan duration, TimeSpan? step = null)
    {
        var end = Now + duration;
        while (Now < end)
        {
            Time.Advance(step ?? TimeSpan.FromMilliseconds(100));
            await Scheduler.DispatchDueAsync(CancellationToken.None);
            await Scheduler.WhenIdleAsync();
        }
    }

    public static HttpResponseMessage Accepted(Beat beat) =>
        FakeHttpHandler.Answer(HttpStatusCode.Accepted, """{"accepted":1,"batchId":"b"}""");

    public static HttpResponseMessage WithRetryAfter(HttpStatusCode status, int seconds)
    {
        var response = FakeHttpHandler.Problem(status, status.ToString(), "Try again later.");
        response.Headers.TryAddWithoutValidation("Retry-After", seconds.ToString(CultureInfo.InvariantCulture));
        return response;
    }

    private static Beat ParseBeat(string body)
    {
        var json = JsonDocument.Parse(body).RootElement;
        return new Beat(json.GetProperty("sensorId").GetInt64(), json.GetProperty("timestamp").GetDateTimeOffset());
    }
}

internal sealed record Beat(long SensorId, DateTimeOffset At);
