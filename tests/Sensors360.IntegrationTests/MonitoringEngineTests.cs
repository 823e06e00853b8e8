using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>States, the periodic snapshot and staleness scan, and the query API (fixture: 1 s interval, 3 s threshold).</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class MonitoringEngineTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    SensorsApi _api = null!;
    BusProbe _probe = null!;

    public async Task InitializeAsync()
    {
        _api = new SensorsApi(fixture.App);
        _probe = await BusProbe.StartAsync(fixture.App);
    }

    public async Task DisposeAsync()
    {
        await _probe.DisposeAsync();
        await _api.DisposeAsync();
    }

    async Task<BusProbe.Received<Sensors360.Contracts.SensorStateChanged>> TransitionAsync(long id, string from, string to)
    {
        BusProbe.Received<Sensors360.Contracts.SensorStateChanged>? found = null;
        Assert.True(await Poll.UntilAsync(() =>
        {
            found = _probe.StateChanges.FirstOrDefault(r => r.Message.SensorId == id && r.Message.From == from && r.Message.To == to);
            return Task.FromResult(found is not null);
        }, Deadline), $"No {from} → {to} for sensor {id}; saw: {string.Join(", ", _probe.StateChanges.Where(r => r.Message.SensorId == id).Select(r => $"{r.Message.From}→{r.Message.To}"))}");
        return found!;
    }

    [Fact]
    public async Task A_sensor_goes_up_then_late_then_down_and_up_again_with_every_flip_stored_and_published()
    {
        // Late after 1 s (own interval, no grace), down after the fleet's 3 s threshold: a 2 s late phase that the
        // fixture's 250 ms scans cannot miss.
        using var registered = await _api.Worker.PostAsJsonAsync("/api/sensors",
            new { tag = SensorsApi.UniqueTag("lifecycle"), expectedIntervalSeconds = 1, graceSeconds = 0 });
        var body = await SensorsApi.JsonAsync(registered);
        var (id, key) = (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
        await _api.WaitUntilKeyAcceptedAsync(id, key);

        var up = await TransitionAsync(id, "new", "up");
        var late = await TransitionAsync(id, "up", "late");
        var down = await TransitionAsync(id, "late", "down");

        // Counted from the server's receipt; each found by a scan.
        var heardAt = await _api.TimeAsync("SELECT last_received_at FROM sensor_status WHERE id = $1", id);
        Assert.InRange((late.Message.At - heardAt).TotalSeconds, 1, 1 + 5);
        Assert.InRange((down.Message.At - heardAt).TotalSeconds, SensorsAppFixture.StaleAfter.TotalSeconds, SensorsAppFixture.StaleAfter.TotalSeconds + 5);
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(
            _probe.Stale.Any(s => s.Message.SensorIds.Contains(id) && s.Message.Count >= 1 && s.Message.Threshold == SensorsAppFixture.StaleAfter)),
            Deadline), "No StaleSensorsDetected listed the silent sensor.");

        using (var again = await _api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, SensorsApi.RecentTime())))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }
        Assert.Equal(up.Message.Tag, (await TransitionAsync(id, "down", "up")).Message.Tag);

        await using var db = NpgsqlDataSource.Create((await fixture.App.GetConnectionStringAsync("sensorsdb"))!);
        await using var command = db.CreateCommand("SELECT from_state || '>' || to_state FROM sensor_state_changes WHERE sensor_id = $1 ORDER BY at, id");
        command.Parameters.Add(new() { Value = id });
        var flips = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                flips.Add(reader.GetString(0));
            }
        }
        Assert.Equal(["new>up", "up>late", "late>down", "down>up"], flips.Take(4));
    }

    [Fact]
    public async Task A_status_snapshot_arrives_every_period_and_its_counts_add_up()
    {
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(_probe.Snapshots.Count >= 3), Deadline), "Fewer than 3 snapshots.");
        var snapshots = _probe.Snapshots.Select(s => s.Message).OrderBy(s => s.At).ToArray();
        foreach (var s in snapshots)
        {
            Assert.Equal(s.Total, s.New + s.Up + s.Late + s.Down + s.Retired);
            Assert.InRange(s.PercentStale, 0, 100);
        }
        foreach (var (a, b) in snapshots.Zip(snapshots.Skip(1)))
        {
            Assert.InRange((b.At - a.At).TotalSeconds, 0.5, 3);
        }
        var total = await _api.ScalarAsync("SELECT count(*) FROM sensors");
        Assert.InRange(snapshots[^1].Total, total - 50, total);   // other tests may register meanwhile, never delete
    }

    [Fact]
    public async Task Stats_answer_the_three_fleet_questions_for_a_hand_computed_fleet()
    {
        var fleet = Guid.NewGuid().ToString("N");
        // Eight sensors with chosen histories (times relative to now; see docs/analytics.md for the definitions):
        //   A up,      heard 3× over 20 s, first 1 d ago, last receipt 1 min ago, own threshold 1 d → alive, not stale
        //   B down,    heard 5× over 40 s, first 1 d ago, last receipt 2 h ago (threshold 3 s)      → alive, stale
        //   C retired, heard once 10 d ago, retired 4 d ago                                           → life ended: 6 d
        //   D down,    first 20 d ago, last 12 d ago (> 7 d dead-after)                              → life ended: 8 d, stale
        //   E new,     registered 1 h ago, never heard (threshold 3 s)                                → stale
        //   F new,     registered now, own threshold 1 d                                              → not stale
        //   G retired, never heard                                                                    → no life, not counted
        //   H retired, heard once 5 d ago, replaced preventively 2 d ago (silent 3 d < 7 d)            → alive 3 d, censored
        // % stale = {B, D, E} / {A, B, D, E, F} = 60 %. Mean interval = (20 s + 40 s) / (2 + 4) = 10 s.
        // Mean lifespan = (6 d + 8 d) / 2 = 7 d (H's life did not end). Kaplan–Meier over A (1 d, censored), B (1 d,
        // censored), H (3 d, censored), C (6 d), D (8 d): at 6 d two at risk, one dies → S = 0.5 (the median); at 8 d
        // one at risk → S = 0. Restricted mean to τ = 8 d: 6 × 1 + 2 × 0.5 = 7 d.
        await _api.ScalarAsync("""
            WITH t(name, state, created, n, first, span, received, retired, stale_after, reason) AS (VALUES
                ('A', 'up',      interval '2 d',  3, interval '1 d',  interval '20 s', interval '1 min', NULL::interval, interval '1 d', NULL::text),
                ('B', 'down',    interval '2 d',  5, interval '1 d',  interval '40 s', interval '2 h',   NULL,           NULL,           NULL),
                ('C', 'retired', interval '11 d', 1, interval '10 d', interval '0 s',  interval '10 d',  interval '4 d', NULL,           NULL),
                ('D', 'down',    interval '21 d', 1, interval '20 d', interval '8 d',  interval '12 d',  NULL,           NULL,           NULL),
                ('E', 'new',     interval '1 h',  0, NULL,            NULL,            NULL,             NULL,           NULL,           NULL),
                ('F', 'new',     interval '0 s',  0, NULL,            NULL,            NULL,             NULL,           interval '1 d', NULL),
                ('G', 'retired', interval '3 d',  0, NULL,            NULL,            NULL,             interval '1 d', NULL,           NULL),
                ('H', 'retired', interval '6 d',  1, interval '5 d',  interval '0 s',  interval '5 d',   interval '2 d', NULL,           'replaced-preventively')
            ), registered AS (
                INSERT INTO sensors (tag, labels, created_at, key_hash, retired_at, stale_after, retirement_reason)
                SELECT $1 || t.name, jsonb_build_object('fleet', $1::text), now() - t.created, md5($1 || t.name) || md5(t.name || $1),
                       now() - t.retired, t.stale_after, t.reason
                FROM t
                RETURNING id, tag
            )
            INSERT INTO sensor_liveness (sensor_id, state, state_since, heartbeat_count, first_heartbeat_at, last_heartbeat_at, last_received_at)
            SELECT r.id, t.state, now(), t.n, now() - t.first, now() - t.first + t.span, now() - t.received
            FROM t JOIN registered r ON r.tag = $1 || t.name
            """, fleet);

        var stats = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/stats?label=fleet:{fleet}");

        Assert.Equal(8, stats.GetProperty("total").GetInt32());
        Assert.Equal((2, 1, 0, 2, 3), (stats.GetProperty("new").GetInt32(), stats.GetProperty("up").GetInt32(),
            stats.GetProperty("late").GetInt32(), stats.GetProperty("down").GetInt32(), stats.GetProperty("retired").GetInt32()));
        Assert.Equal(3, stats.GetProperty("stale").GetInt32());
        Assert.Equal(60.0, stats.GetProperty("percentStale").GetDouble(), 6);
        Assert.Equal(10.0, stats.GetProperty("meanIntervalSeconds").GetDouble(), 6);
        Assert.Equal(7.0, stats.GetProperty("meanLifespanDays").GetDouble(), 3);
        var km = stats.GetProperty("kaplanMeier");
        Assert.Equal(6.0, km.GetProperty("medianDays").GetDouble(), 3);
        Assert.Equal(7.0, km.GetProperty("restrictedMeanDays").GetDouble(), 3);
        Assert.Equal(8.0, km.GetProperty("horizonDays").GetDouble(), 3);
        Assert.Equal(5, km.GetProperty("lives").GetInt32());
        Assert.Equal(2, km.GetProperty("ended").GetInt32());

        var curve = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/stats/survival?label=fleet:{fleet}");
        var points = curve.GetProperty("points").EnumerateArray().Select(p => (Days: p.GetProperty("days").GetDouble(), S: p.GetProperty("survival").GetDouble())).ToArray();
        Assert.Contains(points, p => Math.Abs(p.Days - 6) < 0.001 && Math.Abs(p.S - 0.5) < 1e-9);
        Assert.Contains(points, p => Math.Abs(p.Days - 8) < 0.001 && p.S == 0);
        // The 95 % band around the step at 6 d (two at risk, one ended) holds the estimate; none before the first ending.
        var step = curve.GetProperty("points").EnumerateArray().First(p => Math.Abs(p.GetProperty("days").GetDouble() - 6) < 0.001);
        Assert.InRange(0.5, step.GetProperty("lower").GetDouble() + 0.01, step.GetProperty("upper").GetDouble() - 0.01);
        var start = curve.GetProperty("points")[0];
        Assert.Equal((1.0, 1.0), (start.GetProperty("lower").GetDouble(), start.GetProperty("upper").GetDouble()));

        // Intervals: A and B are the live sensors heard twice or more, both 10 s apart on average → one bucket [8, 16).
        var intervals = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/stats/intervals?label=fleet:{fleet}");
        Assert.Equal(2, intervals.GetProperty("sensors").GetInt32());
        Assert.Equal(10.0, intervals.GetProperty("p50Seconds").GetDouble(), 3);
        Assert.Equal(10.0, intervals.GetProperty("p95Seconds").GetDouble(), 3);
        var bucket = Assert.Single(intervals.GetProperty("buckets").EnumerateArray());
        Assert.Equal((8.0, 16.0, 2), (bucket.GetProperty("fromSeconds").GetDouble(), bucket.GetProperty("toSeconds").GetDouble(), bucket.GetProperty("sensors").GetInt32()));
        var none = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/stats/intervals?label=fleet:{Guid.NewGuid():N}");
        Assert.Equal((0, JsonValueKind.Null, 0), (none.GetProperty("sensors").GetInt32(), none.GetProperty("p50Seconds").ValueKind, none.GetProperty("buckets").GetArrayLength()));

        using var bad = await _api.Worker.GetAsync("/api/stats?label=nocolon");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_fleet_by_label_counts_each_values_sensors_by_state_largest_first()
    {
        var key = "site" + Guid.NewGuid().ToString("N")[..12];
        var north = new List<(long Id, string Key)>();
        for (var i = 0; i < 3; i++)
        {
            north.Add(await _api.RegisterAsync(SensorsApi.UniqueTag("north"), new Dictionary<string, string> { [key] = "north" }));
        }
        await _api.RegisterAsync(SensorsApi.UniqueTag("south"), new Dictionary<string, string> { [key] = "south" });
        await _api.WaitUntilKeyAcceptedAsync(north[0].Id, north[0].Key);
        await TransitionAsync(north[0].Id, "new", "up");

        var breakdown = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/stats/labels/{key}");
        var groups = breakdown.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(key, breakdown.GetProperty("key").GetString());
        Assert.False(breakdown.GetProperty("more").GetBoolean());
        // Every other sensor lacks the label: at most one group, with no value.
        Assert.InRange(groups.Count(g => g.GetProperty("value").ValueKind == JsonValueKind.Null), 0, 1);
        var counts = groups.Where(g => g.GetProperty("value").ValueKind != JsonValueKind.Null).Select(g => (g.GetProperty("value").GetString(), g.GetProperty("total").GetInt32(),
            g.GetProperty("new").GetInt32(), g.GetProperty("up").GetInt32() + g.GetProperty("late").GetInt32() + g.GetProperty("down").GetInt32()));
        Assert.Equal([("north", 3, 2, 1), ("south", 1, 1, 0)], counts);

        var top = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/stats/labels/{key}?limit=1");
        Assert.Equal(1, top.GetProperty("groups").GetArrayLength());
        Assert.True(top.GetProperty("more").GetBoolean());
        using var bad = await _api.Worker.GetAsync("/api/stats/labels/a:b?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("limit", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sensor_list_filters_by_state_tag_prefix_and_label_and_pages_by_keyset_without_gaps_or_repeats()
    {
        var prefix = SensorsApi.UniqueTag("list") + "-";
        var zone = Guid.NewGuid().ToString("N");
        var ids = new List<long>();
        foreach (var name in new[] { "e", "a", "d", "b", "c" })
        {
            ids.Add((await _api.RegisterAsync(prefix + name, new { zone })).Id);
        }

        var tags = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await _api.Worker.GetFromJsonAsync<JsonElement>(
                $"/api/sensors?tag={Uri.EscapeDataString(prefix)}&sort=tag&limit=2" + (after is null ? "" : $"&after={after}"));
            tags.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("tag").GetString()!));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            pages++;
        }
        while (after is not null && pages < 10);
        Assert.Equal(["a", "b", "c", "d", "e"], tags.Select(t => t[prefix.Length..]));

        var descending = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors?label=zone:{zone}&sort=-id&limit=10");
        Assert.Equal(ids.OrderDescending(), descending.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));

        var newOnes = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors?label=zone:{zone}&state=new,up");
        Assert.Equal(5, newOnes.GetProperty("items").GetArrayLength());
        var downOnes = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors?label=zone:{zone}&state=down");
        Assert.Equal(0, downOnes.GetProperty("items").GetArrayLength());

        using var badSort = await _api.Worker.GetAsync("/api/sensors?sort=color");
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
        using var badCursor = await _api.Worker.GetAsync("/api/sensors?after=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        using var badState = await _api.Worker.GetAsync("/api/sensors?state=asleep");
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
    }

    [Fact]
    public async Task A_sensor_tag_with_like_wildcards_matches_only_literally()
    {
        var prefix = SensorsApi.UniqueTag("wild");
        await _api.RegisterAsync(prefix + "_%x");
        await _api.RegisterAsync(prefix + "ab");

        var page = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors?tag={Uri.EscapeDataString(prefix + "_%")}");

        Assert.Equal([prefix + "_%x"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("tag").GetString()));
    }

    [Fact]
    public async Task Replacing_a_sensor_retires_it_and_registers_a_new_one_with_the_same_tag_labels_and_a_new_key()
    {
        var tag = SensorsApi.UniqueTag("replace");
        var (oldId, oldKey) = await _api.RegisterAsync(tag, new { site = "harbour" });
        await _api.WaitUntilKeyAcceptedAsync(oldId, oldKey);

        using var response = await _api.Worker.PostAsync($"/api/sensors/{oldId}/replace", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await SensorsApi.JsonAsync(response);
        var newId = body.GetProperty("id").GetInt64();
        var newKey = body.GetProperty("key").GetString()!;
        Assert.Equal(tag, body.GetProperty("tag").GetString());
        Assert.Equal(oldId, body.GetProperty("replaces").GetInt64());
        Assert.Equal(1, await _api.ScalarAsync(
            "SELECT count(*) FROM sensor_status o JOIN sensor_status n ON n.id = o.replaced_by WHERE o.id = $1 AND n.id = $2 AND o.state = 'retired' AND n.labels->>'site' = 'harbour' AND n.tag = o.tag",
            oldId, newId));
        await _api.WaitUntilKeyAcceptedAsync(newId, newKey);
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var old = await _api.PostHeartbeatsAsync(oldKey, SensorsApi.Heartbeat(oldId, SensorsApi.RecentTime()));
            return old.StatusCode == HttpStatusCode.Forbidden;
        }, TimeSpan.FromSeconds(5)), "The replaced sensor's key still worked.");

        using var again = await _api.Worker.PostAsync($"/api/sensors/{oldId}/replace", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(newId.ToString(), (await SensorsApi.JsonAsync(again)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_sensors_heartbeats_are_listed_newest_first_within_the_range()
    {
        var (id, key) = await _api.RegisterAsync(SensorsApi.UniqueTag("history"));
        await _api.WaitUntilKeyAcceptedAsync(id, key);
        var t0 = SensorsApi.RecentTime(600);
        var times = new[] { t0, t0.AddSeconds(10), t0.AddSeconds(20) };
        using (var post = await _api.PostHeartbeatsAsync(key, "[" + string.Join(",", times.Select(t => SensorsApi.Heartbeat(id, t))) + "]"))
        {
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        }
        var range = $"from={Uri.EscapeDataString(t0.ToString("O"))}&to={Uri.EscapeDataString(t0.AddSeconds(15).ToString("O"))}";

        JsonElement listed = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            listed = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}/heartbeats?{range}");
            return listed.GetArrayLength() == 2;
        }, Deadline));
        Assert.Equal([times[1], times[0]], listed.EnumerateArray().Select(h => h.GetProperty("sensorTime").GetDateTimeOffset()));

        using var missing = await _api.Worker.GetAsync("/api/sensors/999999999/heartbeats");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_sensors_hours_sum_up_its_heartbeats_by_the_hour_with_silences_apart()
    {
        var (id, key) = await _api.RegisterAsync(SensorsApi.UniqueTag("hours"));
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-2);
        // Gaps of 2 s and 1 s in the first hour; in the next, a silence (past the fixture's 3 s threshold) and a 1 s gap.
        var times = new[] { hour.AddSeconds(10), hour.AddSeconds(12), hour.AddSeconds(13), hour.AddHours(1).AddSeconds(20), hour.AddHours(1).AddSeconds(21) };
        await PostUntilAcceptedAsync(id, key, times);

        JsonElement hours = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            hours = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}/hours");
            return hours.GetProperty("heartbeats").GetInt64() == 5;
        }, Deadline), hours.ToString());
        var silence = (times[3] - times[2]).TotalSeconds;
        Assert.Equal((4.0 / 3, silence, 1L), (hours.GetProperty("meanIntervalSeconds").GetDouble(),
            hours.GetProperty("longestGapSeconds").GetDouble(), hours.GetProperty("silences").GetInt64()));
        Assert.Equal(
            [(hour, 3, (double?)1.5, (double?)2.0, 0), (hour.AddHours(1), 2, 1.0, silence, 1)],
            hours.GetProperty("hours").EnumerateArray().Select(h => (h.GetProperty("hour").GetDateTimeOffset(), h.GetProperty("heartbeats").GetInt32(),
                (double?)h.GetProperty("meanIntervalSeconds").GetDouble(), (double?)h.GetProperty("longestGapSeconds").GetDouble(),
                h.GetProperty("silences").GetInt32())));

        using var reversed = await _api.Worker.GetAsync($"/api/sensors/{id}/hours?from={Uri.EscapeDataString(now.ToString("O"))}&to={Uri.EscapeDataString(hour.ToString("O"))}");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Contains("is after", (await SensorsApi.JsonAsync(reversed)).GetProperty("detail").GetString());
        using var tooLong = await _api.Worker.GetAsync($"/api/sensors/{id}/hours?from={Uri.EscapeDataString(now.AddDays(-401).ToString("O"))}");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var missing = await _api.Worker.GetAsync("/api/sensors/999999999/hours");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>Posts the sensor's heartbeats until the API accepts them (its key may not be loaded yet).</summary>
    async Task PostUntilAcceptedAsync(long id, string key, IEnumerable<DateTimeOffset> times)
    {
        var json = "[" + string.Join(",", times.Select(t => SensorsApi.Heartbeat(id, t))) + "]";
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var post = await _api.PostHeartbeatsAsync(key, json);
            return post.StatusCode == HttpStatusCode.Accepted;
        }, Deadline));
    }

    /// <summary>The sensor's detail once it counts <paramref name="heartbeats"/> stored heartbeats.</summary>
    async Task<JsonElement> DetailOnceStoredAsync(long id, int heartbeats)
    {
        JsonElement detail = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            detail = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}");
            return detail.GetProperty("heartbeatCount").GetInt64() == heartbeats;
        }, Deadline));
        return detail;
    }

    [Fact]
    public async Task A_sensors_detail_shows_its_timings_interval_statistics_uptime_recent_heartbeats_and_flips()
    {
        var (id, key) = await _api.RegisterAsync(SensorsApi.UniqueTag("detail"));
        var t0 = SensorsApi.RecentTime(3600);
        // Gaps of 10 s and 20 s: mean (30 s / 2) = 15 s; p50 = 15 s; p95 = 10 + 0.95 × (20 − 10) = 19.5 s.
        var times = new[] { t0, t0.AddSeconds(10), t0.AddSeconds(30) };
        await PostUntilAcceptedAsync(id, key, times);
        await TransitionAsync(id, "new", "up");

        var detail = await DetailOnceStoredAsync(id, times.Length);

        var intervals = detail.GetProperty("intervals");
        Assert.Equal(15.0, intervals.GetProperty("meanSeconds").GetDouble(), 6);
        Assert.Equal(15.0, intervals.GetProperty("p50Seconds").GetDouble(), 6);
        Assert.Equal(19.5, intervals.GetProperty("p95Seconds").GetDouble(), 6);
        Assert.Equal(3, intervals.GetProperty("samples").GetInt32());
        var timings = detail.GetProperty("timings");
        Assert.Equal(SensorsAppFixture.StaleAfter.TotalSeconds, timings.GetProperty("staleAfterSeconds").GetDouble());
        Assert.True(timings.GetProperty("staleAfterIsDefault").GetBoolean());
        Assert.Equal(times.Reverse(), detail.GetProperty("recentHeartbeats").EnumerateArray().Select(h => h.GetProperty("sensorTime").GetDateTimeOffset()));
        var flips = detail.GetProperty("flips").EnumerateArray().Select(f => f.GetProperty("from").GetString() + ">" + f.GetProperty("to").GetString()).ToArray();
        Assert.Equal("new>up", flips[^1]);
        Assert.InRange(detail.GetProperty("uptime").GetProperty("last24Hours").GetDouble(), 0, 100);

        using var missing = await _api.Worker.GetAsync("/api/sensors/999999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_sensors_recent_heartbeats_reach_past_the_24_hour_interval_window_when_it_holds_too_few()
    {
        var (id, key) = await _api.RegisterAsync(SensorsApi.UniqueTag("detail-old"));
        // Three days apart: the first is in another daily partition, outside the 24-hour interval window.
        var times = new[] { SensorsApi.RecentTime(3 * 86_400), SensorsApi.RecentTime(3600), SensorsApi.RecentTime(600) };
        await PostUntilAcceptedAsync(id, key, times);

        var detail = await DetailOnceStoredAsync(id, times.Length);

        Assert.Equal(2, detail.GetProperty("intervals").GetProperty("samples").GetInt32());
        Assert.Equal(times.Reverse(), detail.GetProperty("recentHeartbeats").EnumerateArray().Select(h => h.GetProperty("sensorTime").GetDateTimeOffset()));
        var newestTwo = await _api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}?heartbeats=2");
        Assert.Equal(times[1..].Reverse(), newestTwo.GetProperty("recentHeartbeats").EnumerateArray().Select(h => h.GetProperty("sensorTime").GetDateTimeOffset()));
    }
}
