using System.Net;
using System.Text;
using System.Text.Json;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>Ingestion.Api end to end: key checks, validation, micro-batching and storage through the real broker.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class HeartbeatApiTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(30);
    static readonly TimeSpan RegistryDeadline = TimeSpan.FromSeconds(5);

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    async Task StoredEventuallyAsync(long sensorId, DateTimeOffset at) =>
        Assert.True(await Poll.UntilAsync(async () => await Api.HeartbeatRowsAsync(sensorId, at) == 1, StorageDeadline),
            $"Heartbeat {sensorId}@{at:O} was not stored.");

    /// <summary>
    /// Proves a refused request queued nothing: a later accepted heartbeat of the same sensor is stored, and the
    /// refused one is still absent.
    /// </summary>
    async Task AssertNothingQueuedAsync(long sensorId, string key, params DateTimeOffset[] refused)
    {
        var marker = SensorsApi.RecentTime();
        using var accepted = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(sensorId, marker));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await StoredEventuallyAsync(sensorId, marker);
        foreach (var at in refused)
        {
            Assert.Equal(0, await Api.HeartbeatRowsAsync(sensorId, at));
        }
    }

    async Task<(long Id, string Key)> ReadySensorAsync(string name, object? labels = null)
    {
        var sensor = await Api.RegisterAsync(SensorsApi.UniqueTag(name), labels);
        await Api.WaitUntilKeyAcceptedAsync(sensor.Id, sensor.Key);
        return sensor;
    }

    [Fact]
    public async Task A_heartbeat_posted_with_a_bearer_key_is_accepted_after_the_broker_confirmed_and_stored_once()
    {
        var (id, key) = await ReadySensorAsync("single");
        var at = SensorsApi.RecentTime();

        using var response = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, at));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await SensorsApi.JsonAsync(response);
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.NotEqual(Guid.Empty, body.GetProperty("batchId").GetGuid());
        await StoredEventuallyAsync(id, at);
        Assert.Equal(1, await Api.ScalarAsync(
            "SELECT count(*) FROM heartbeats WHERE sensor_id = $1 AND sensor_time = $2 AND received_at BETWEEN now() - interval '1 minute' AND now()",
            id, at.UtcDateTime));
    }

    [Fact]
    public async Task The_legacy_form_with_an_X_Api_Key_is_accepted_and_stored_with_its_epoch_seconds()
    {
        var (id, key) = await ReadySensorAsync("legacy");
        var epoch = DateTimeOffset.UtcNow.AddSeconds(-Random.Shared.Next(100, 5000)).ToUnixTimeSeconds();

        using var response = await Api.PostLegacyAsync(key, $"sensor_id={id}&timestamp={epoch}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await StoredEventuallyAsync(id, DateTimeOffset.FromUnixTimeSeconds(epoch));
    }

    [Fact]
    public async Task A_collector_key_sends_an_array_mixing_iso_epoch_seconds_and_milliseconds_for_the_sensors_its_selector_covers()
    {
        var site = Guid.NewGuid().ToString("N");
        var a = await Api.RegisterAsync(SensorsApi.UniqueTag("collected"), new { site });
        var b = await Api.RegisterAsync(SensorsApi.UniqueTag("collected"), new { site, rack = "2" });
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync("edge-1", new { site });
        var iso = SensorsApi.RecentTime(10);
        var seconds = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(-200).ToUnixTimeSeconds());
        var millis = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(-300).ToUnixTimeMilliseconds());
        var json = $$"""
            [{"sensorId":{{a.Id}},"timestamp":"{{iso:yyyy-MM-ddTHH:mm:ss.fffZ}}"},
             {"sensorId":{{b.Id}},"timestamp":{{seconds.ToUnixTimeSeconds()}}},
             {"sensorId":{{a.Id}},"timestamp":{{millis.ToUnixTimeMilliseconds()}}}]
            """;

        using var response = await Api.PostWithCollectorKeyAsync(collectorKey, json, RegistryDeadline);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await SensorsApi.JsonAsync(response)).GetProperty("accepted").GetInt32());
        await StoredEventuallyAsync(a.Id, iso);
        await StoredEventuallyAsync(b.Id, seconds);
        await StoredEventuallyAsync(a.Id, millis);
    }

    [Fact]
    public async Task A_missing_or_unknown_key_is_refused_with_401()
    {
        var (id, _) = await Api.RegisterAsync(SensorsApi.UniqueTag("nokey"));

        using var missing = await Api.PostHeartbeatsAsync(null, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()));
        await ProblemAsync(missing, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", missing.Headers.WwwAuthenticate.ToString());

        using var unknown = await Api.PostHeartbeatsAsync("s360s_" + new string('A', 43), SensorsApi.Heartbeat(id, SensorsApi.RecentTime()));
        await ProblemAsync(unknown, HttpStatusCode.Unauthorized);

        using var legacyUnknown = await Api.PostLegacyAsync("nonsense", $"sensor_id={id}&timestamp=1700000000");
        await ProblemAsync(legacyUnknown, HttpStatusCode.Unauthorized);
    }

    /// <summary>
    /// A sensor written straight into the registry, as if its registry event were lost (a broker restart loses
    /// them): the API has no event to learn it from, so only looking the key up lets it in before the next reload.
    /// </summary>
    async Task<(long Id, string Key)> SensorWithoutEventAsync(string site)
    {
        var key = ApiKeys.NewSensorKey();
        var id = await Api.ScalarAsync("""
            WITH s AS (INSERT INTO sensors (tag, labels, created_at, key_hash) VALUES ($1, jsonb_build_object('site', $2::text), now(), $3) RETURNING id),
                 l AS (INSERT INTO sensor_liveness (sensor_id, state, state_since) SELECT id, 'new', now() FROM s)
            SELECT id FROM s
            """, SensorsApi.UniqueTag("no-event"), site, ApiKeys.Hash(key));
        return (id, key);
    }

    [Fact]
    public async Task A_key_the_API_never_heard_of_is_looked_up_in_the_registry_and_accepted_at_the_first_request()
    {
        var (id, key) = await SensorWithoutEventAsync("north");
        var at = SensorsApi.RecentTime();

        using var response = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, at));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await StoredEventuallyAsync(id, at);
    }

    [Fact]
    public async Task A_collector_may_send_for_a_sensor_the_API_never_heard_of_when_the_registry_says_it_is_covered()
    {
        var site = SensorsApi.UniqueTag("site");
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("collector"), new { site });
        var (covered, _) = await SensorWithoutEventAsync(site);
        var (uncovered, _) = await SensorWithoutEventAsync("elsewhere");
        var at = SensorsApi.RecentTime();

        using var accepted = await Api.PostHeartbeatsAsync(collectorKey, SensorsApi.Heartbeat(covered, at), bearer: false);
        using var refused = await Api.PostHeartbeatsAsync(collectorKey, SensorsApi.Heartbeat(uncovered, SensorsApi.RecentTime()), bearer: false);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Contains("selector", (await ProblemAsync(refused, HttpStatusCode.Forbidden)).GetProperty("detail").GetString());
        await StoredEventuallyAsync(covered, at);
    }

    [Fact]
    public async Task A_sensor_key_used_for_another_sensor_is_refused_with_403_naming_the_item_and_queues_nothing()
    {
        var (id, key) = await ReadySensorAsync("mine");
        var (other, _) = await Api.RegisterAsync(SensorsApi.UniqueTag("theirs"));
        var own = SensorsApi.RecentTime(5);
        var json = $"[{SensorsApi.Heartbeat(id, own)},{SensorsApi.Heartbeat(other, SensorsApi.RecentTime())}]";

        using var response = await Api.PostHeartbeatsAsync(key, json);

        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(1, problem.GetProperty("itemIndex").GetInt32());
        Assert.Contains(other.ToString(), problem.GetProperty("detail").GetString());
        await AssertNothingQueuedAsync(id, key, own);
    }

    [Fact]
    public async Task A_collector_key_is_refused_for_sensors_outside_its_selector_and_for_unregistered_sensors()
    {
        var site = Guid.NewGuid().ToString("N");
        var covered = await Api.RegisterAsync(SensorsApi.UniqueTag("covered"), new { site });
        var outside = await Api.RegisterAsync(SensorsApi.UniqueTag("outside"), new { site = "elsewhere" });
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync("edge-2", new { site });
        await Api.WaitUntilKeyAcceptedAsync(covered.Id, collectorKey);

        using var mismatch = await Api.PostHeartbeatsAsync(collectorKey,
            $"[{SensorsApi.Heartbeat(covered.Id, SensorsApi.RecentTime())},{SensorsApi.Heartbeat(outside.Id, SensorsApi.RecentTime())}]");
        var problem = await ProblemAsync(mismatch, HttpStatusCode.Forbidden);
        Assert.Equal(1, problem.GetProperty("itemIndex").GetInt32());
        Assert.Contains("selector", problem.GetProperty("detail").GetString());

        using var unregistered = await Api.PostHeartbeatsAsync(collectorKey, SensorsApi.Heartbeat(long.MaxValue - 7, SensorsApi.RecentTime()));
        Assert.Contains("no such sensor", (await ProblemAsync(unregistered, HttpStatusCode.Forbidden)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_retired_sensor_is_refused_with_403_within_5_seconds_of_retirement()
    {
        var (id, key) = await ReadySensorAsync("retiring");
        using var retire = await Api.Worker.PostAsync($"/api/sensors/{id}/retire", null);
        Assert.Equal(HttpStatusCode.OK, retire.StatusCode);

        HttpResponseMessage? response = null;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            response?.Dispose();
            response = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()));
            return response.StatusCode == HttpStatusCode.Forbidden;
        }, RegistryDeadline), "The retired sensor was still accepted after 5 s.");

        var problem = await ProblemAsync(response!, HttpStatusCode.Forbidden);
        Assert.Contains("retired", problem.GetProperty("detail").GetString());
        response!.Dispose();
    }

    [Fact]
    public async Task A_rotated_key_stops_working_within_5_seconds_and_the_new_one_works()
    {
        var (id, oldKey) = await ReadySensorAsync("rotating");
        using var rotate = await Api.Worker.PostAsync($"/api/sensors/{id}/rotate-key", null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var newKey = (await SensorsApi.JsonAsync(rotate)).GetProperty("key").GetString()!;

        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await Api.PostHeartbeatsAsync(oldKey, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()));
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, RegistryDeadline), "The old key still worked after 5 s.");
        await Api.WaitUntilKeyAcceptedAsync(id, newKey);
    }

    [Fact]
    public async Task A_revoked_collector_key_stops_working_within_5_seconds()
    {
        var sensor = await Api.RegisterAsync(SensorsApi.UniqueTag("revoked"));
        var (collectorId, collectorKey) = await Api.CreateCollectorKeyAsync("edge-revoked");
        await Api.WaitUntilKeyAcceptedAsync(sensor.Id, collectorKey);

        using var revoke = await Api.Worker.DeleteAsync($"/api/collector-keys/{collectorId}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await Api.PostHeartbeatsAsync(collectorKey, SensorsApi.Heartbeat(sensor.Id, SensorsApi.RecentTime()));
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, RegistryDeadline), "The revoked collector key still worked after 5 s.");
    }

    [Fact]
    public async Task A_future_timestamp_in_a_batch_is_refused_with_422_naming_its_index_and_queues_nothing()
    {
        var (id, key) = await ReadySensorAsync("future");
        var valid = SensorsApi.RecentTime(30);
        var json = $"[{SensorsApi.Heartbeat(id, valid)},{SensorsApi.Heartbeat(id, DateTimeOffset.UtcNow.AddMinutes(10))}]";

        using var response = await Api.PostHeartbeatsAsync(key, json);

        var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, problem.GetProperty("itemIndex").GetInt32());
        await AssertNothingQueuedAsync(id, key, valid);
    }

    [Fact]
    public async Task A_timestamp_older_than_retention_is_refused_with_422()
    {
        var (id, key) = await ReadySensorAsync("ancient");

        using var response = await Api.PostLegacyAsync(key, $"sensor_id={id}&timestamp={DateTimeOffset.UtcNow.AddDays(-91).ToUnixTimeSeconds()}");

        Assert.Contains("older than", (await ProblemAsync(response, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_400_and_queues_nothing()
    {
        var (id, key) = await ReadySensorAsync("malformed");
        var valid = SensorsApi.RecentTime(40);

        using var response = await Api.PostHeartbeatsAsync(key, $"[{SensorsApi.Heartbeat(id, valid)}, {{\"sensorId\": ");

        await ProblemAsync(response, HttpStatusCode.BadRequest);
        await AssertNothingQueuedAsync(id, key, valid);
    }

    [Fact]
    public async Task A_wrong_content_type_is_refused_with_415()
    {
        var (id, key) = await ReadySensorAsync("xml");

        using var response = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()), "text/plain");

        Assert.Contains("application/json", (await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_over_1_MiB_or_over_10000_items_is_refused_with_413()
    {
        var (id, key) = await ReadySensorAsync("huge");
        var item = SensorsApi.Heartbeat(id, SensorsApi.RecentTime());

        using var tooBig = await Api.PostHeartbeatsAsync(key, "[" + item + new string(' ', 1024 * 1024) + "]");
        Assert.Contains("1 MiB", (await ProblemAsync(tooBig, HttpStatusCode.RequestEntityTooLarge)).GetProperty("detail").GetString());

        var many = new StringBuilder("[");
        for (var i = 0; i < 10_001; i++)
        {
            many.Append(i == 0 ? "" : ",").Append($"{{\"sensorId\":{id},\"timestamp\":{1_790_000_000 + i}}}");
        }
        using var tooMany = await Api.PostHeartbeatsAsync(key, many.Append(']').ToString());
        Assert.Contains("10000", (await ProblemAsync(tooMany, HttpStatusCode.RequestEntityTooLarge)).GetProperty("detail").GetString()!.Replace(",", ""));
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_Retry_After()
    {
        var (id, key) = await ReadySensorAsync("chatty");

        var responses = await Task.WhenAll(Enumerable.Range(0, SensorsAppFixture.SensorKeyBurst * 3)
            .Select(i => Api.PostLegacyAsync(key, $"sensor_id={id}&timestamp={DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1000 - i}")));
        try
        {
            var limited = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.NotNull(limited);
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without a Retry-After delay");
            await ProblemAsync(limited, HttpStatusCode.TooManyRequests);
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_sensor_keys_rate_counts_heartbeats_not_requests_and_a_batch_over_its_burst_is_refused_with_413()
    {
        const int burst = SensorsAppFixture.SensorKeyBurst;
        var (id, key) = await ReadySensorAsync("batching");
        var t0 = SensorsApi.RecentTime(3600);
        var batch = 0;
        string Batch(int count) =>
            "[" + string.Join(",", Enumerable.Range(0, count).Select(i => SensorsApi.Heartbeat(id, t0.AddSeconds(-(batch * 100 + i))))) + "]";

        // More than a burst in one request could never pass: 413, naming the most that can.
        batch++;
        var tooManyAt = t0.AddSeconds(-batch * 100);
        using (var tooMany = await Api.PostHeartbeatsAsync(key, Batch(burst + 1)))
        {
            Assert.Contains($"at most {burst}", (await ProblemAsync(tooMany, HttpStatusCode.RequestEntityTooLarge)).GetProperty("detail").GetString());
        }
        // A whole burst in one request passes once the bucket is full again (wait as Retry-After says)...
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            batch++;
            using var full = await Api.PostHeartbeatsAsync(key, Batch(burst));
            if (full.StatusCode == HttpStatusCode.Accepted)
            {
                break;
            }
            await ProblemAsync(full, HttpStatusCode.TooManyRequests);
            Assert.True(DateTime.UtcNow < deadline, "a request of a whole burst of heartbeats was never accepted");
            await Task.Delay(full.Headers.RetryAfter!.Delta!.Value);
        }
        // ...and spends it: the next such request is refused at once, though counted in requests it would be well
        // within the burst.
        batch++;
        var refusedAt = t0.AddSeconds(-batch * 100);
        using (var second = await Api.PostHeartbeatsAsync(key, Batch(burst)))
        {
            var problem = await ProblemAsync(second, HttpStatusCode.TooManyRequests);
            Assert.True(second.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without a Retry-After delay");
            Assert.Contains($"{SensorsAppFixture.SensorKeyHeartbeatsPerSecond} heartbeats per second", problem.GetProperty("detail").GetString());
        }

        // Neither refusal queued anything: a heartbeat accepted once the bucket refills is stored, they are not.
        var marker = SensorsApi.RecentTime();
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var single = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, marker));
            return single.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(10)));
        await StoredEventuallyAsync(id, marker);
        Assert.Equal(0, await Api.HeartbeatRowsAsync(id, refusedAt));
        Assert.Equal(0, await Api.HeartbeatRowsAsync(id, tooManyAt));
    }

    [Fact]
    public async Task Concurrent_requests_are_micro_batched_into_fewer_messages_and_every_heartbeat_is_stored()
    {
        var sensor = await Api.RegisterAsync(SensorsApi.UniqueTag("batched"));
        var (_, collectorKey) = await Api.CreateCollectorKeyAsync("edge-batch");
        await Api.WaitUntilKeyAcceptedAsync(sensor.Id, collectorKey);
        var times = Enumerable.Range(0, 200).Select(i => SensorsApi.RecentTime(100).AddSeconds(-i * 61)).Distinct().ToArray();

        var responses = await Task.WhenAll(times.Select(t => Api.PostHeartbeatsAsync(collectorKey, SensorsApi.Heartbeat(sensor.Id, t))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var batches = new HashSet<Guid>();
        foreach (var response in responses)
        {
            batches.Add((await SensorsApi.JsonAsync(response)).GetProperty("batchId").GetGuid());
            response.Dispose();
        }
        Assert.True(batches.Count < times.Length, $"{times.Length} concurrent requests went out as {batches.Count} messages");
        Assert.True(await Poll.UntilAsync(async () =>
            await Api.ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = $1 AND sensor_time = ANY($2)",
                sensor.Id, times.Select(t => t.UtcDateTime).ToArray()) == times.Length, StorageDeadline));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_both_heartbeat_routes()
    {
        var document = await Api.Ingestion.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/heartbeats", document);
        Assert.Contains("/api/v0/heartbeat", document);
        Assert.Contains("sensorId", document);
    }
}
