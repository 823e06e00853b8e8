using Sensors360.Messaging;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Sensors360.IntegrationTests.Reliability;

namespace Sensors360.IntegrationTests;

/// <summary>
/// A system whose ingestion API refuses heartbeats beyond a backlog of <see cref="MaxBacklogMessages"/> messages,
/// read every 200 ms, so a test reaches the bound with a handful of heartbeats. Its own collection: the other
/// systems keep the default bound, and these tests stop the worker and the broker.
/// </summary>
public sealed class BackpressureFixture : FaultsFixture
{
    public const int MaxBacklogMessages = 5;
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);   // Ingestion:BacklogRetryAfter's default

    protected override void Configure(IDistributedApplicationTestingBuilder builder) =>
        builder.CreateResourceBuilder<ProjectResource>("ingestion-api")
            .WithEnvironment("Ingestion__MaxBacklogMessages", MaxBacklogMessages.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("HeartbeatBacklog__ProbePeriod", "00:00:00.200")
            // One sensor posts as fast as it is answered until the API refuses it; the rate limit must not come first.
            .WithEnvironment("Ingestion__SensorKeyRateLimit__HeartbeatsPerSecond", "10000")
            .WithEnvironment("Ingestion__SensorKeyRateLimit__Burst", "10000");
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BackpressureCollection : ICollectionFixture<BackpressureFixture>
{
    public const string Name = "Backpressure";
}

/// <summary>Ingestion.Api refuses heartbeats while Monitor.Worker's backlog is over the bound, and only then.</summary>
[Collection(BackpressureCollection.Name)]
public sealed class BackpressureTests(BackpressureFixture fixture)
{
    const int Bound = BackpressureFixture.MaxBacklogMessages;
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_the_worker_stopped_heartbeats_are_refused_with_503_past_the_bound_and_every_accepted_one_is_stored_once_after_the_backlog_drains()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var api = new SensorsApi(fixture.App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("backpressure"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id) == 1, Deadline),
            "the first heartbeat was not stored");
        Assert.True(await Poll.UntilAsync(async () => (await BacklogHealthAsync(api, key)).Check == "Healthy", Deadline),
            "the backlog was not within the bound to begin with");

        var origin = DateTimeOffset.UtcNow.AddMinutes(-30);
        origin = new DateTimeOffset(origin.Ticks - origin.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var next = 0;
        DateTimeOffset NextTime() => origin.AddMilliseconds(10 * next++);
        var accepted = new List<DateTimeOffset>();
        var refused = new List<DateTimeOffset>();
        try
        {
            await fixture.StopAsync("monitor-worker", cts.Token);

            // Single heartbeats, one message each (a request waits for its confirm before the next is sent), until
            // a probe reading sees more than the bound.
            JsonElement problem = default;
            Assert.True(await Poll.UntilAsync(async () =>
            {
                var at = NextTime();
                using var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, at));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted.Add(at);
                    return false;
                }
                refused.Add(at);
                problem = await AssertBacklogRefusalAsync(response);
                return true;
            }, Deadline), $"still accepted after {accepted.Count} heartbeats with the worker stopped");
            Assert.True(accepted.Count > 0, "refused before anything was accepted");
            var detail = problem.GetProperty("detail").GetString()!;
            var waiting = long.Parse(detail.Split(' ')[4], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            Assert.True(waiting > Bound, detail);

            // While over the bound: the legacy form is refused the same way, a bad key is still 401, /health says so.
            var legacyAt = NextTime();
            using (var legacy = await api.PostLegacyAsync(key, $"sensor_id={id}&timestamp={legacyAt.ToUnixTimeMilliseconds()}"))
            {
                refused.Add(legacyAt);
                await AssertBacklogRefusalAsync(legacy);
            }
            using (var unknownKey = await api.PostHeartbeatsAsync("s360s_" + new string('A', 43), SensorsApi.Heartbeat(id, NextTime())))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, unknownKey.StatusCode);
            }
            var health = await BacklogHealthAsync(api, key);
            Assert.Equal(("Degraded", "Degraded"), (health.Overall, health.Check));
            Assert.Contains($"more than the bound of {Bound}", health.Description);

            await fixture.StartAsync("monitor-worker", cts.Token);

            // Every accepted heartbeat stored, once; nothing of a refused request.
            Assert.True(await Poll.UntilAsync(async () => await StoredAsync(api, id, accepted) == accepted.Count, Deadline),
                $"{await StoredAsync(api, id, accepted)} of {accepted.Count} accepted heartbeats stored after the worker came back");
            Assert.Equal(accepted.Count + 1, await api.HeartbeatRowsAsync(id));
            Assert.Equal(accepted.Count + 1, await api.ScalarAsync("SELECT heartbeat_count FROM sensor_liveness WHERE sensor_id = $1", id));
            Assert.Equal(0, await StoredAsync(api, id, refused));

            // Once the backlog has drained (the next probe reading), the API accepts again.
            var after = default(DateTimeOffset);
            Assert.True(await Poll.UntilAsync(async () =>
            {
                after = NextTime();
                using var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, after));
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    refused.Add(after);
                    return false;
                }
                return true;
            }, Deadline), "the API kept refusing after the worker came back");
            Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id, after) == 1, Deadline),
                "the heartbeat accepted after the backlog drained was not stored");
            Assert.Equal(0, await StoredAsync(api, id, refused));
            Assert.Equal("Healthy", (await BacklogHealthAsync(api, key)).Check);
        }
        finally
        {
            await fixture.RestoreAsync("monitor-worker");
        }
    }

    [Fact]
    public async Task Over_MQTT_heartbeats_past_the_bound_are_acknowledged_and_wait_and_every_one_is_stored_once_the_backlog_drains()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var api = new SensorsApi(fixture.App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("backpressure-mqtt"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id) == 1, Deadline), "the first heartbeat was not stored");

        var origin = DateTimeOffset.UtcNow.AddMinutes(-20);
        origin = new DateTimeOffset(origin.Ticks - origin.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var sent = new List<DateTimeOffset>();
        try
        {
            await fixture.StopAsync("monitor-worker", cts.Token);
            // Over HTTP until the API refuses: the backlog is now past the bound.
            Assert.True(await Poll.UntilAsync(async () =>
            {
                var at = origin.AddMilliseconds(10 * sent.Count);
                using var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, at));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    sent.Add(at);
                    return false;
                }
                return true;
            }, Deadline), "HTTP heartbeats were never refused with the worker stopped");

            // A device is not refused meanwhile: the broker acknowledges each message, which waits on its queue.
            await using (var device = await MqttDevice.ConnectAsync(fixture.App, id.ToString(CultureInfo.InvariantCulture), key))
            {
                for (var n = 0; n < 20; n++)
                {
                    var at = origin.AddMinutes(1).AddMilliseconds(10 * n);
                    await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, at));
                    sent.Add(at);
                }
                Assert.True(device.IsConnected);
            }

            await fixture.StartAsync("monitor-worker", cts.Token);
            Assert.True(await Poll.UntilAsync(async () => await StoredAsync(api, id, sent) == sent.Count, Deadline),
                $"{await StoredAsync(api, id, sent)} of {sent.Count} heartbeats (HTTP accepted, then 20 over MQTT) stored after the worker came back");
            Assert.Equal(sent.Count + 1, await api.HeartbeatRowsAsync(id));
        }
        finally
        {
            await fixture.RestoreAsync("monitor-worker");
        }
    }

    [Fact]
    public async Task The_probe_knows_no_count_while_its_queue_does_not_exist_and_reads_it_once_it_does()
    {
        var queue = $"backlog-probe-{Guid.NewGuid():N}";
        var broker = await fixture.App.BrokerAsync();
        using var probe = new HeartbeatBacklog(broker,
            Options.Create(new HeartbeatBacklogOptions { ProbePeriod = TimeSpan.FromMilliseconds(100) }),
            TimeProvider.System, NullLogger<HeartbeatBacklog>.Instance, queue);
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await probe.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(probe.Current.State == BacklogState.QueueMissing), Deadline),
                $"state {probe.Current.State}: {probe.Current.Problem}");
            Assert.Null(probe.ReadyMessages);
            Assert.Null(probe.ReadAt);

            // The 404 closed the probe's channel; it must open another to read the queue once it exists.
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync(exchange: "", routingKey: queue, mandatory: true, body: "{}"u8.ToArray());
            }
            var published = DateTimeOffset.UtcNow;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(probe.ReadyMessages == 3), Deadline),
                $"state {probe.Current.State}, {probe.ReadyMessages} ready");
            Assert.True(probe.ReadAt >= published.AddSeconds(-1), $"read at {probe.ReadAt:O}, published at {published:O}");

            await channel.QueueDeleteAsync(queue);
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(probe.Current.State == BacklogState.QueueMissing), Deadline),
                $"state {probe.Current.State} after the queue was deleted");
            Assert.Null(probe.ReadyMessages);
        }
        finally
        {
            await probe.StopAsync(CancellationToken.None);
            if (channel.IsOpen)
            {
                await channel.QueueDeleteAsync(queue);   // a no-op when the test got as far as deleting it
            }
        }
        Assert.True(probe.ExecuteTask!.IsCompletedSuccessfully, $"the probe ended {probe.ExecuteTask.Status}");
    }

    [Fact]
    public async Task The_API_reads_the_backlog_again_after_a_broker_restart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var api = new SensorsApi(fixture.App);
        // A known key: only a caller that proved who it is sees the checks on /health.
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("backlog-reader"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        Assert.Equal("Healthy", (await BacklogHealthAsync(api, key)).Check);
        (string Overall, string Check, string Description) health = default;
        try
        {
            await fixture.StopAsync("messaging", cts.Token);
            Assert.True(await Poll.UntilAsync(async () =>
            {
                health = await BacklogHealthAsync(api, key);
                return health.Check == "Degraded";
            }, Deadline), $"heartbeat-backlog still {health} with RabbitMQ stopped");
            Assert.StartsWith("Backlog unknown: RabbitMQ", health.Description);

            await fixture.StartAsync("messaging", cts.Token);
            Assert.True(await Poll.UntilAsync(async () =>
            {
                health = await BacklogHealthAsync(api, key);
                return health.Check == "Healthy" && health.Description.Contains($"messages ready in 'heartbeats' (bound {Bound})");
            }, Deadline), $"heartbeat-backlog still {health} after RabbitMQ was back");
        }
        finally
        {
            await fixture.RestoreAsync("messaging");
        }
    }

    static async Task<JsonElement> AssertBacklogRefusalAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(BackpressureFixture.RetryAfter, response.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("Monitor behind", problem.GetProperty("title").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith("The monitor is behind: ", detail);
        Assert.Contains($"more than the bound of {Bound}. Nothing was accepted; send the same request again in 5 s (Retry-After).", detail);
        return problem;
    }

    /// <summary>
    /// Ingestion.Api's /health: the overall status, and the heartbeat-backlog check's status and description, which
    /// it shows callers with a known <paramref name="key"/>.
    /// </summary>
    static async Task<(string Overall, string Check, string Description)> BacklogHealthAsync(SensorsApi api, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await api.Ingestion.SendAsync(request);
        var report = await SensorsApi.JsonAsync(response);
        var check = report.GetProperty("checks").GetProperty("heartbeat-backlog");
        return (report.GetProperty("status").GetString()!, check.GetProperty("status").GetString()!,
            check.GetProperty("description").GetString()!);
    }

    static Task<long> StoredAsync(SensorsApi api, long sensorId, IReadOnlyList<DateTimeOffset> times) =>
        api.ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = $1 AND sensor_time = ANY($2)",
            sensorId, times.Select(t => t.UtcDateTime).ToArray());
}
