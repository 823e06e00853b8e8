using System.Net;
using System.Net.Http.Json;
using Ingestion.Api.Admission;
using Sensors360.Contracts;

namespace Ingestion.Api.Tests.Admission;

/// <summary>
/// The key check (authentication scheme and policy) and the per-key rate limit in front of the heartbeat routes,
/// answering exactly what docs/api.md promises. The backlog gate between them is in the integration tests'
/// BackpressureTests, which can fill a real queue.
/// </summary>
public sealed class HeartbeatAdmissionTests
{
    const string UnauthorizedType = "https://tools.ietf.org/html/rfc9110#section-15.5.2";

    [Fact]
    public async Task A_request_without_a_key_is_refused_with_401_Missing_key_and_WWW_Authenticate_Bearer()
    {
        await using var host = await AdmissionHost.StartAsync();

        using var response = await host.PostAsync();

        var problem = await AdmissionHost.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(UnauthorizedType, problem.GetProperty("type").GetString());
        Assert.Equal("Missing key", problem.GetProperty("title").GetString());
        Assert.Equal("Send the sensor's key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Bearer", null)]
    [InlineData("Bearer    ", null)]
    [InlineData("Basic dXNlcjpwYXNz", null)]
    [InlineData(null, "   ")]
    [InlineData(null, "")]
    public async Task An_empty_bearer_token_a_blank_X_Api_Key_or_another_Authorization_scheme_is_no_key(string? authorization, string? apiKey)
    {
        await using var host = await AdmissionHost.StartAsync();

        using var response = await host.PostAsync(authorization, apiKey);

        var problem = await AdmissionHost.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Missing key", problem.GetProperty("title").GetString());
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("s360s_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("s360c_not a key at all")]
    public async Task A_malformed_or_unknown_key_is_refused_with_401_Unknown_key_naming_the_key_prefixes(string key)
    {
        await using var host = await AdmissionHost.StartAsync();
        host.AddSensor(1);

        using var bearer = await host.PostWithBearerAsync(key);
        using var header = await host.PostAsync(apiKey: key);

        foreach (var response in new[] { bearer, header })
        {
            var problem = await AdmissionHost.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal(UnauthorizedType, problem.GetProperty("type").GetString());
            Assert.Equal("Unknown key", problem.GetProperty("title").GetString());
            Assert.Equal("The key is not known: it may be mistyped, rotated, or its collector key revoked. Keys start with "
                + "'s360s_' (a sensor) or 's360c_' (a collector).", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_revoked_collector_key_and_a_rotated_sensor_key_are_refused_with_401_and_the_new_key_works()
    {
        await using var host = await AdmissionHost.StartAsync();
        var collectorKey = host.AddCollector(5, "edge-5");
        var oldKey = host.AddSensor(7);
        var newKey = ApiKeys.NewSensorKey();

        host.Credentials.Apply(new CollectorKeyRevoked(5, DateTimeOffset.UtcNow));
        host.Credentials.Apply(new SensorKeyRotated(7, ApiKeys.Hash(newKey), DateTimeOffset.UtcNow));

        using var revoked = await host.PostAsync(apiKey: collectorKey);
        using var rotated = await host.PostWithBearerAsync(oldKey);
        using var replacement = await host.PostWithBearerAsync(newKey);
        Assert.Equal("Unknown key", (await AdmissionHost.ProblemAsync(revoked, HttpStatusCode.Unauthorized)).GetProperty("title").GetString());
        Assert.Equal("Unknown key", (await AdmissionHost.ProblemAsync(rotated, HttpStatusCode.Unauthorized)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Accepted, replacement.StatusCode);
    }

    [Fact]
    public async Task A_retired_sensors_key_is_known_but_refused_with_403_Sensor_retired()
    {
        await using var host = await AdmissionHost.StartAsync();
        var key = host.AddSensor(9);
        var retiredAt = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        host.Credentials.Apply(new SensorRetired(9, retiredAt));

        using var response = await host.PostWithBearerAsync(key);

        var problem = await AdmissionHost.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("Sensor retired", problem.GetProperty("title").GetString());
        Assert.Equal("Sensor 9 was retired at 2026-11-28T10:00:00.0000000+00:00 and accepts no more heartbeats; use its replacement's key.",
            problem.GetProperty("detail").GetString());
        Assert.False(response.Headers.Contains("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_sensor_key_as_bearer_and_a_collector_key_as_X_Api_Key_are_admitted_and_the_endpoint_sees_who_calls()
    {
        await using var host = await AdmissionHost.StartAsync();
        var sensorKey = host.AddSensor(42);
        var collectorKey = host.AddCollector(3, "edge-berlin-1");

        using var sensor = await host.PostAsync(authorization: $"bearer   {sensorKey}  ");
        using var collector = await host.PostAsync(apiKey: collectorKey);

        Assert.Equal(HttpStatusCode.Accepted, sensor.StatusCode);
        Assert.Equal(new CallerSeen(42, null), await sensor.Content.ReadFromJsonAsync<CallerSeen>());
        Assert.Equal(HttpStatusCode.Accepted, collector.StatusCode);
        Assert.Equal(new CallerSeen(null, "edge-berlin-1"), await collector.Content.ReadFromJsonAsync<CallerSeen>());
    }

    [Fact]
    public async Task A_key_only_the_registry_knows_is_looked_up_and_admitted_at_the_first_request()
    {
        var key = ApiKeys.NewSensorKey();
        using var registry = new OneKeyRegistry(key, sensorId: 77);
        await using var host = await AdmissionHost.StartAsync(registry: registry);

        using var response = await host.PostWithBearerAsync(key);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new CallerSeen(77, null), await response.Content.ReadFromJsonAsync<CallerSeen>());
    }

    [Fact]
    public async Task Until_the_registry_is_loaded_a_keyed_request_gets_503_Starting_with_Retry_After_and_a_keyless_one_still_401()
    {
        await using var host = await AdmissionHost.StartAsync(loaded: false);

        using var keyed = await host.PostWithBearerAsync(ApiKeys.NewSensorKey());
        using var keyless = await host.PostAsync();

        var problem = await AdmissionHost.ProblemAsync(keyed, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Starting", problem.GetProperty("title").GetString());
        Assert.Equal(TimeSpan.FromSeconds(2), keyed.Headers.RetryAfter?.Delta);
        Assert.Equal("Missing key", (await AdmissionHost.ProblemAsync(keyless, HttpStatusCode.Unauthorized)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_Retry_After_while_other_keys_keep_their_own_buckets()
    {
        var options = new IngestionOptions
        {
            SensorKeyRateLimit = new() { HeartbeatsPerSecond = 1, Burst = 2 },
            CollectorKeyRateLimit = new() { HeartbeatsPerSecond = 1, Burst = 50 },
        };
        await using var host = await AdmissionHost.StartAsync(options);
        var chatty = host.AddSensor(1);
        var quiet = host.AddSensor(2);
        var collector = host.AddCollector(1, "edge");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await host.PostWithBearerAsync(chatty);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.Equal(new[] { HttpStatusCode.Accepted, HttpStatusCode.Accepted }, statuses.Take(2));
        Assert.NotNull(limited);
        using (limited)
        {
            var problem = await AdmissionHost.ProblemAsync(limited, HttpStatusCode.TooManyRequests);
            var wait = limited.Headers.RetryAfter?.Delta;
            Assert.True(wait >= TimeSpan.FromSeconds(1), $"Retry-After {wait}");
            Assert.Equal("Rate limited", problem.GetProperty("title").GetString());
            Assert.Equal($"This key may send 1 heartbeats per second (bursts up to 2); wait {wait?.TotalSeconds} s. "
                + "Heartbeats count, not requests: batching saves round trips, not quota.", problem.GetProperty("detail").GetString());
        }
        using var other = await host.PostWithBearerAsync(quiet);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        for (var i = 0; i < 10; i++)
        {
            using var edge = await host.PostAsync(apiKey: collector);
            Assert.Equal(HttpStatusCode.Accepted, edge.StatusCode);
        }
    }

    [Fact]
    public async Task A_request_pays_for_each_of_its_heartbeats_and_one_larger_than_the_burst_is_refused_with_413()
    {
        var options = new IngestionOptions { SensorKeyRateLimit = new() { HeartbeatsPerSecond = 1, Burst = 5 } };
        await using var host = await AdmissionHost.StartAsync(options);
        var key = host.AddSensor(1);

        using var five = await host.PostWithBearerAsync(key, heartbeats: 5);
        using var one = await host.PostWithBearerAsync(key);
        using var six = await host.PostWithBearerAsync(host.AddSensor(2), heartbeats: 6);

        Assert.Equal(HttpStatusCode.Accepted, five.StatusCode);
        var limited = await AdmissionHost.ProblemAsync(one, HttpStatusCode.TooManyRequests);
        Assert.Equal("Rate limited", limited.GetProperty("title").GetString());
        var tooMany = await AdmissionHost.ProblemAsync(six, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("This request holds 6 heartbeats, but this key may send at most 5 at once (1 per second); split them into requests of up to 5.",
            tooMany.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Routes_outside_the_heartbeat_groups_ignore_keys_entirely()
    {
        await using var host = await AdmissionHost.StartAsync(loaded: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, AdmissionHost.OpenRoute) { Headers = { { "X-Api-Key", "nonsense" } } };

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A registry that knows one sensor key.</summary>
    sealed class OneKeyRegistry(string key, long sensorId) : HttpMessageHandler, IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(this, disposeHandler: false) { BaseAddress = new("http://registry") };

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(request.RequestUri!.AbsolutePath == $"/internal/credentials/keys/{ApiKeys.Hash(key)}"
                ? new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = JsonContent.Create(new KeyCredential(new SensorCredential(sensorId, ApiKeys.Hash(key), null, new Dictionary<string, string>()), null)),
                }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}
