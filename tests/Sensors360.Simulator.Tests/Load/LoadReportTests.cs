
namespace Sensors360.Simulator.Tests.Load;

public sealed class LoadReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_json_report_is_camel_case_with_rates_counts_latency_and_persisted_and_no_secrets()
    {
        var report = LoadReport.Create(Options(), Target(), Run(persisted: new PersistedCount(3_800, 10, 4_200, 4_200, TimeSpan.FromSeconds(1.3))));

        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(
            ["tool", "startedAt", "outcome", "notReady", "endpoint", "form", "settings", "fleet", "loadStartedAt", "measuredFrom", "measuredTo",
             "measuredSeconds", "targetPerSecond", "acceptedPerSecond",
             "requestsPerSecond", "latencyMs", "serviceTimeMs", "measured", "total", "persisted", "skippedHeartbeats", "maxSendDelayMs",
             "timestampLeadMs", "errorSamples"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("completed", root.GetProperty("outcome").GetString());
        Assert.Equal("json-array", root.GetProperty("form").GetString());
        Assert.Equal("http://ingestion.test/api/heartbeats", root.GetProperty("endpoint").GetString());
        Assert.Equal(400, root.GetProperty("acceptedPerSecond").GetDouble());
        Assert.Equal(5.1, root.GetProperty("requestsPerSecond").GetDouble());
        Assert.Equal(500, root.GetProperty("targetPerSecond").GetDouble());
        Assert.Equal(40, root.GetProperty("measured").GetProperty("byStatus").GetProperty("202").GetInt64());
        Assert.Equal(10, root.GetProperty("measured").GetProperty("byStatus").GetProperty("429").GetInt64());
        Assert.Equal(1, root.GetProperty("measured").GetProperty("timeouts").GetInt64());
        Assert.Equal(51, root.GetProperty("measured").GetProperty("requests").GetInt64());
        Assert.Equal(4_200, root.GetProperty("total").GetProperty("acceptedHeartbeats").GetInt64());
        var latency = root.GetProperty("latencyMs");
        // HdrHistogram, 3 significant digits: 2,000 µs is exact; a percentile is the top of the bucket holding it
        // (30,000 µs is in 30,000–30,015), and so is the max.
        Assert.Equal(["count", "mean", "p50", "p90", "p99", "p999", "max"], latency.EnumerateObject().Select(p => p.Name));
        Assert.Equal((50L, 2.0, 30.015, 30.015, 30.015, 30.015), (latency.GetProperty("count").GetInt64(), latency.GetProperty("p50").GetDouble(),
            latency.GetProperty("p90").GetDouble(), latency.GetProperty("p99").GetDouble(), latency.GetProperty("p999").GetDouble(),
            latency.GetProperty("max").GetDouble()));
        Assert.Equal((1.0, 30.015), (root.GetProperty("serviceTimeMs").GetProperty("p50").GetDouble(), root.GetProperty("serviceTimeMs").GetProperty("max").GetDouble()));
        Assert.Equal(12.5, root.GetProperty("maxSendDelayMs").GetDouble());
        var persisted = root.GetProperty("persisted");
        Assert.Equal(("database", 380.0, 1.3, true), (persisted.GetProperty("source").GetString(), persisted.GetProperty("perSecond").GetDouble(),
            persisted.GetProperty("drainSeconds").GetDouble(), persisted.GetProperty("complete").GetBoolean()));
        Assert.Equal(100, root.GetProperty("settings").GetProperty("batchSize").GetInt32());
        Assert.Equal("429 Too Many Requests: Slow down.", root.GetProperty("errorSamples").GetProperty("429").GetString());
        Assert.DoesNotContain("s360c_secret", report.ToJson());
        Assert.DoesNotContain("Password", report.ToJson());
    }

    [Fact]
    public void The_markdown_report_is_a_table_with_each_status_and_the_persisted_rows_when_the_database_was_watched()
    {
        var withDatabase = LoadReport.Create(Options(), Target(), Run(persisted: new PersistedCount(3_800, 10, 4_200, 4_200, TimeSpan.FromSeconds(1.3)))).ToMarkdown();
        var without = LoadReport.Create(Options(), Target(), Run(persisted: null)).ToMarkdown();

        Assert.StartsWith("## Load: 400 heartbeats/s accepted\n", withDatabase.ReplaceLineEndings("\n"));
        Assert.Contains("`POST http://ingestion.test/api/heartbeats` · JSON arrays of 100 · 3 sensors · target 500 hb/s · concurrency 8 · 10 s measured after 2 s warm-up", withDatabase);
        Assert.Contains("| Measure | Value |", withDatabase);
        Assert.Contains("| Accepted heartbeats/s | 400 |", withDatabase);
        Assert.Contains("| Requests/s | 5.1 |", withDatabase);
        Assert.Contains("| Latency p50 / p90 / p99 / p99.9 / max, from the schedule | 2.0 / 30.0 / 30.0 / 30.0 / 30.0 ms |", withDatabase);
        Assert.Contains("| Service time (from the actual send) | 1.0 / 30.0 / 30.0 / 30.0 / 30.0 ms |", withDatabase);
        Assert.Contains("| Latest send behind the schedule | 12.5 ms |", withDatabase);
        Assert.Contains("| Responses | 202: 40 · 429: 10 |", withDatabase);
        Assert.Contains("| Transport errors / timeouts | 0 / 1 |", withDatabase);
        Assert.Contains("| Persisted heartbeats/s (database) | 380 |", withDatabase);
        Assert.Contains("| Drain after the load | 1.3 s (4,200 of 4,200 accepted heartbeats stored) |", withDatabase);
        Assert.Contains("- 429: 429 Too Many Requests: Slow down.", withDatabase);
        Assert.DoesNotContain("Persisted", without);
        Assert.DoesNotContain("Drain", without);
    }

    [Fact]
    public void A_fleet_run_reports_its_schedule_and_when_the_measured_part_began_and_ended()
    {
        var schedule = new FleetSchedule([1, 2, 3], rate: 0.25, maxBatch: 100);
        var window = new LoadWindow(Start.AddSeconds(2), Start.AddSeconds(7), Start.AddSeconds(17));
        var run = Run(null) with { Window = window, Fleet = schedule };

        var report = LoadReport.Create(Options(), Target(), run);

        using var json = JsonDocument.Parse(report.ToJson());
        var fleet = json.RootElement.GetProperty("fleet");
        Assert.Equal((12.0, 1, 0.25), (fleet.GetProperty("intervalSeconds").GetDouble(), fleet.GetProperty("beatsPerRequest").GetInt32(),
            fleet.GetProperty("requestsPerSecond").GetDouble()));
        Assert.Equal("json-object", json.RootElement.GetProperty("form").GetString());
        Assert.Equal((Start.AddSeconds(2), Start.AddSeconds(7), Start.AddSeconds(17)), (json.RootElement.GetProperty("loadStartedAt").GetDateTimeOffset(),
            json.RootElement.GetProperty("measuredFrom").GetDateTimeOffset(), json.RootElement.GetProperty("measuredTo").GetDateTimeOffset()));
        Assert.Contains("one JSON object per request · 3 sensors · fleet: each sensor every 12 s · target 500 hb/s", report.ToMarkdown());
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(LoadReport.Create(Options(), Target(), Run(null)).ToJson()).RootElement.GetProperty("fleet").ValueKind);
    }

    [Fact]
    public void A_run_that_never_got_ready_says_why_and_counts_as_nothing_succeeded()
    {
        var run = new LoadRun(Start, "http://ingestion.test/api/heartbeats answered 401 Unauthorized", 0, false, new LoadStats().Snapshot(),
            new Dictionary<string, string>(), 0, 0, null);

        var report = LoadReport.Create(Options(), Target(), run);

        Assert.False(report.AnySucceeded);
        Assert.Equal("not-ready", report.Outcome);
        Assert.Null(report.AcceptedPerSecond);
        Assert.Contains("**Not ready**", report.ToMarkdown());
        Assert.DoesNotContain("measured after", report.ToMarkdown());
        Assert.Contains("401 Unauthorized", report.ToMarkdown());
    }

    [Fact]
    public void Rejections_alone_are_still_a_run_but_nothing_accepted_is_not_a_success()
    {
        var stats = new LoadStats();
        stats.NewRecorder().Record(429, 1, 100, 100, measured: true);

        var report = LoadReport.Create(Options(), Target(), new LoadRun(Start, null, 1, false, stats.Snapshot(), new Dictionary<string, string>(), 0, 0, null));

        Assert.False(report.AnySucceeded);
        Assert.True(LoadReport.Create(Options(), Target(), Run(null)).AnySucceeded);
    }

    private static LoadOptions Options() => new()
    {
        IngestionUrl = "http://ingestion.test",
        CollectorKey = "s360c_secret",
        FirstSensorId = 1,
        DatabaseConnectionString = "Host=db;Password=hunter2",
        Rate = 500,
        BatchSize = 100,
        Concurrency = 8,
        Duration = TimeSpan.FromSeconds(10),
        Warmup = TimeSpan.FromSeconds(2),
    };

    private static LoadTarget Target() => new(new Uri("http://ingestion.test/api/heartbeats"), "s360c_secret", [1, 2, 3], Legacy: false);

    /// <summary>
    /// 10 measured seconds: 40 requests of 100 accepted 2 ms after their slot (sent 1 ms late, answered in 1 ms), 10 refused
    /// with 429 in 30 ms, one timeout; 2 more accepted in the warm-up; the latest send 12.5 ms behind the schedule.
    /// </summary>
    private static LoadRun Run(PersistedCount? persisted)
    {
        var stats = new LoadStats();
        var sender = stats.NewRecorder();
        for (var i = 0; i < 40; i++)
        {
            sender.Record(202, 100, 2_000, 1_000, measured: true);
        }

        for (var i = 0; i < 10; i++)
        {
            sender.Record(429, 100, 30_000, 30_000, measured: true);
        }

        sender.Record(LoadRecorder.Timeout, 100, 0, 0, measured: true);
        sender.Record(202, 100, 2_000, 2_000, measured: false);
        sender.Record(202, 100, 2_000, 2_000, measured: false);
        return new LoadRun(Start, null, 10, false, stats.Snapshot(), new Dictionary<string, string> { ["429"] = "429 Too Many Requests: Slow down." }, 0, 0, persisted,
            MaxSendDelayMilliseconds: 12.5);
    }
}
