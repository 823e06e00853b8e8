using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>
/// The maintenance queue on the started system: a sensor whose heartbeats slow down is scored at risk, announced on the
/// bus and listed with its reasons; a steady one is not.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class MaintenanceTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    static readonly TimeSpan ScoringDeadline = TimeSpan.FromSeconds(60);
    const int IntervalSeconds = 60;

    async Task<long> RegisterAsync(string site, string name)
    {
        using var response = await Api.Worker.PostAsJsonAsync("/api/sensors", new
        {
            tag = SensorsApi.UniqueTag(name), labels = new { site }, expectedIntervalSeconds = IntervalSeconds, graceSeconds = 30, staleAfterSeconds = 3600,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await SensorsApi.JsonAsync(response)).GetProperty("id").GetInt64();
    }

    /// <summary>Twelve hours of heartbeats ending now: every minute (± 10 %), the last <paramref name="degradeHours"/> with gaps growing to 6×.</summary>
    static List<DateTimeOffset> History(double degradeHours, int seed)
    {
        var random = new Random(seed);
        var now = DateTimeOffset.UtcNow;
        var degradeStart = now.AddHours(-degradeHours);
        var times = new List<DateTimeOffset>();
        for (var t = now.AddHours(-12); t < now.AddSeconds(-30);)
        {
            times.Add(t);
            var progress = degradeHours > 0 && t > degradeStart ? (t - degradeStart) / (now - degradeStart) : 0;
            t = t.AddSeconds(IntervalSeconds * Math.Pow(6, progress) * (0.9 + 0.2 * random.NextDouble()));
        }
        return times;
    }

    async Task PostAsync(string collectorKey, long sensorId, List<DateTimeOffset> times)
    {
        foreach (var chunk in times.Chunk(500))
        {
            var json = JsonSerializer.Serialize(chunk.Select(t => new { sensorId, timestamp = t.ToUnixTimeMilliseconds() }));
            using var response = await Api.PostWithCollectorKeyAsync(collectorKey, json, TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    static async Task<JsonElement?> QueueItemAsync(HttpClient worker, long sensorId)
    {
        var queue = await worker.GetFromJsonAsync<JsonElement>("/api/maintenance/queue?limit=1000");
        return queue.GetProperty("items").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(i => i!.Value.GetProperty("sensorId").GetInt64() == sensorId);
    }

    [Fact]
    public async Task A_sensor_whose_heartbeats_slow_down_enters_the_queue_with_its_reasons_and_a_steady_one_does_not()
    {
        await using var probe = await BusProbe.StartAsync(App);
        var site = Guid.NewGuid().ToString("N");
        var degrading = await RegisterAsync(site, "degrading");
        var steady = await RegisterAsync(site, "steady");
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync("maintenance", new { site });

        await PostAsync(collectorKey, steady, History(degradeHours: 0, seed: 1));
        await PostAsync(collectorKey, degrading, History(degradeHours: 3, seed: 2));

        JsonElement? item = null;
        Assert.True(await Poll.UntilAsync(async () => (item = await QueueItemAsync(Api.Worker, degrading)) is not null, ScoringDeadline),
            "The degrading sensor never entered the maintenance queue.");
        var reasons = item!.Value.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains(reasons, r => r.StartsWith("interval up", StringComparison.Ordinal) || r.StartsWith("interval growing", StringComparison.Ordinal));
        Assert.True(item.Value.GetProperty("risk30d").GetDouble() >= item.Value.GetProperty("risk7d").GetDouble());
        Assert.True(item.Value.GetProperty("windowEnd").GetDateTimeOffset() > item.Value.GetProperty("windowStart").GetDateTimeOffset());

        // The steady sensor was scored in the same pass (all its heartbeats were stored before the degrading one's) and is not at risk.
        var steadyRisk = await Api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{steady}/risk");
        var threshold = steadyRisk.GetProperty("threshold").GetDouble();
        Assert.True(steadyRisk.GetProperty("risk7d").GetDouble() < threshold,
            $"The steady sensor scored {steadyRisk.GetProperty("risk7d").GetDouble():0.000}.");
        Assert.Null(await QueueItemAsync(Api.Worker, steady));

        var detail = await Api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{degrading}/risk");
        var features = detail.GetProperty("features");
        Assert.True(features.GetProperty("intervalRatio").GetDouble() > 2);
        Assert.Equal(degrading, features.GetProperty("sensorId").GetInt64());
        Assert.True(features.GetProperty("measuredBaseline").GetBoolean());
        Assert.Equal(0, features.GetProperty("flaps").GetInt32());
        Assert.Equal(60, features.GetProperty("expectedSeconds").GetDouble());
        Assert.Equal(
            ["interval", "trend", "missed", "variability", "flaps", "age"],
            detail.GetProperty("contributions").EnumerateArray().Select(c => c.GetProperty("feature").GetString()));
        Assert.All(detail.GetProperty("contributions").EnumerateArray(), c => Assert.True(double.IsFinite(c.GetProperty("logOdds").GetDouble())));

        Assert.True(await Poll.UntilAsync(() => Task.FromResult(probe.AtRisk.Any(e => e.Message.SensorId == degrading)), ScoringDeadline),
            "No SensorAtRisk event for the degrading sensor.");
        Assert.DoesNotContain(probe.AtRisk, e => e.Message.SensorId == steady);
    }

    [Fact]
    public async Task A_sensors_risk_is_kept_over_time_a_point_per_move()
    {
        var site = Guid.NewGuid().ToString("N");
        var degrading = await RegisterAsync(site, "history");
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync("risk-history", new { site });
        await PostAsync(collectorKey, degrading, History(degradeHours: 3, seed: 3));

        // Scored every second here: the first score is a point, then one per move of 0.01 or more, or per hour.
        JsonElement history = default;
        Assert.True(await Poll.UntilAsync(async () =>
            (history = await Api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{degrading}/risk/history")).GetProperty("points").GetArrayLength() > 0,
            ScoringDeadline), "The sensor's risk was never recorded.");
        var current = await Api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{degrading}/risk");
        var points = history.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(current.GetProperty("threshold").GetDouble(), history.GetProperty("threshold").GetDouble());
        Assert.Equal(points.Select(p => p.GetProperty("at").GetDateTimeOffset()).Order(), points.Select(p => p.GetProperty("at").GetDateTimeOffset()));
        Assert.All(points, p => Assert.InRange(p.GetProperty("risk7d").GetDouble(), 0, p.GetProperty("risk30d").GetDouble() + 1e-6));
        // A point per move: consecutive points within the hour differ by at least 0.01.
        foreach (var (a, b) in points.Zip(points.Skip(1)))
        {
            if (b.GetProperty("at").GetDateTimeOffset() - a.GetProperty("at").GetDateTimeOffset() < TimeSpan.FromHours(1))
            {
                Assert.True(Math.Abs(b.GetProperty("risk7d").GetDouble() - a.GetProperty("risk7d").GetDouble()) >= 0.01 - 1e-6);
            }
        }

        using var unknown = await Api.Worker.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/sensors/{long.MaxValue}/risk/history"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var bad = await Api.Worker.GetAsync($"/api/sensors/{degrading}/risk/history?days=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task No_pass_scores_while_another_worker_holds_the_scoring_lock()
    {
        // A sensor up and not stale for an hour, scored every pass (1 s here).
        long id;
        string key;
        using (var registered = await Api.Worker.PostAsJsonAsync("/api/sensors",
            new { tag = SensorsApi.UniqueTag("scored"), expectedIntervalSeconds = 3600, graceSeconds = 600, staleAfterSeconds = 3600 }))
        {
            var body = await SensorsApi.JsonAsync(registered);
            (id, key) = (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
        }
        await Api.WaitUntilKeyAcceptedAsync(id, key);
        // Microseconds since the epoch of the sensor's latest score; 0 before the first.
        Task<long> ScoredAtAsync() =>
            Api.ScalarAsync("SELECT COALESCE(extract(epoch FROM max(scored_at)) * 1000000, 0)::bigint FROM sensor_risks WHERE sensor_id = $1", id);
        Assert.True(await Poll.UntilAsync(async () => await ScoredAtAsync() > 0, ScoringDeadline), "The sensor was never scored.");

        // What a worker still in the middle of a pass holds (Monitor.Worker's SessionLocks.Scoring: "S360RISK").
        await using var admin = NpgsqlDataSource.Create((await App.GetConnectionStringAsync("sensorsdb"))!);
        await using var pass = await admin.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", pass))
        {
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = BinaryPrimitives.ReadInt64BigEndian("S360RISK"u8) });
            await take.ExecuteNonQueryAsync();
        }
        var held = await ScoredAtAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(held, await ScoredAtAsync());

        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", pass))
        {
            await release.ExecuteNonQueryAsync();
        }
        Assert.True(await Poll.UntilAsync(async () => await ScoredAtAsync() > held, TimeSpan.FromSeconds(15)), "Scoring never resumed.");
    }

    [Fact]
    public async Task A_pass_over_many_slices_scores_every_live_sensor_of_the_fleet()
    {
        // The worker here scores 100 sensors a slice, two slices at a time (SensorsApp): these alone take three slices.
        var site = Guid.NewGuid().ToString("N");
        var ids = new List<long>();
        for (var i = 0; i < 250; i++)
        {
            ids.Add(await RegisterAsync(site, "sliced"));
        }
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync("sliced", new { site });
        var json = JsonSerializer.Serialize(ids.Select(sensorId => new { sensorId, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));
        using (var posted = await Api.PostWithCollectorKeyAsync(collectorKey, json, TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        // Between two passes, every one of them carries the score of the same pass.
        var sql = """
            SELECT count(*) * 1000 + count(DISTINCT r.scored_at)
            FROM sensors s JOIN sensor_risks r ON r.sensor_id = s.id
            WHERE s.labels @> jsonb_build_object('site', $1::text)
            """;
        var seen = 0L;
        Assert.True(await Poll.UntilAsync(async () => (seen = await Api.ScalarAsync(sql, site)) == 250 * 1000 + 1, ScoringDeadline),
            $"{seen / 1000} of the 250 sensors scored, by {seen % 1000} passes");
    }

    [Fact]
    public async Task The_model_in_use_is_described()
    {
        JsonElement model = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await Api.Worker.GetAsync("/api/maintenance/model");
            model = response.IsSuccessStatusCode ? await SensorsApi.JsonAsync(response) : default;
            return response.IsSuccessStatusCode;
        }, ScoringDeadline), "No risk model was ever stored.");

        Assert.Contains(model.GetProperty("kind").GetString(), new[] { "prior", "fitted" });
        Assert.Equal(["interval", "trend", "missed", "variability", "flaps", "age"],
            model.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString() ?? "").ToArray());
        Assert.True(model.GetProperty("ageCurve").GetProperty("shape").GetDouble() > 0);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("minRisk=1.5", "minRisk")]
    [InlineData("minRisk=-0.1", "minRisk")]
    public async Task A_bad_queue_query_is_a_400_naming_the_parameter(string query, string parameter)
    {
        using var response = await Api.Worker.GetAsync("/api/maintenance/queue?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await SensorsApi.JsonAsync(response)).GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task An_unscored_sensor_has_no_risk_and_says_why()
    {
        using var response = await Api.Worker.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/sensors/{long.MaxValue}/risk"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not up or late", (await SensorsApi.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
