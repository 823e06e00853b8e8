using System.Net;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Devices on RabbitMQ's MQTT listener, signed in with the same keys as over HTTP (the broker asks Ingestion.Api), their
/// heartbeats checked by the HTTP API's rules and stored through the same pipeline.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class MqttTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(30);

    static DateTimeOffset Base() => SensorsApi.WholeSecond(TimeSpan.FromMinutes(30));

    /// <summary>A registered sensor whose key the API knows; its one probe heartbeat (over HTTP) is stored.</summary>
    async Task<(long Id, string Key)> ReadySensorAsync(string name, object? labels = null)
    {
        var sensor = await Api.RegisterAsync(SensorsApi.UniqueTag(name), labels);
        await Api.WaitUntilKeyAcceptedAsync(sensor.Id, sensor.Key);
        Assert.True(await Poll.UntilAsync(async () => await Api.HeartbeatRowsAsync(sensor.Id) == 1, StorageDeadline), "the probe heartbeat was not stored");
        return sensor;
    }

    /// <summary>Until the sensor has <paramref name="rows"/> heartbeats besides its probe.</summary>
    async Task<bool> StoredAsync(long sensorId, long rows) =>
        await Poll.UntilAsync(async () => await Api.HeartbeatRowsAsync(sensorId) == rows + 1, StorageDeadline);

    [Fact]
    public async Task Mqtt_and_http_heartbeats_of_one_fleet_reconcile_exactly_in_the_store()
    {
        var site = Guid.NewGuid().ToString("N")[..12];
        var sensors = new List<(long Id, string Key)>();
        for (var i = 0; i < 3; i++)
        {
            sensors.Add(await ReadySensorAsync("mqtt-fleet", new { site }));
        }
        var (collectorId, collectorKey) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("mqtt-edge"), new { site });
        var start = Base();
        var expected = new Dictionary<long, int>();

        foreach (var (id, key) in sensors)
        {
            await using var device = await MqttDevice.ConnectAsync(App, id.ToString(), key);
            for (var n = 0; n < 5; n++)
            {
                await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, start.AddSeconds(n)));
            }
            // The same message again, as a QoS 1 redelivery would bring it: one row.
            await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, start));
            // An empty message is a heartbeat now.
            await device.PublishAsync($"sensors/{id}/heartbeat", "");
            for (var n = 5; n < 10; n++)
            {
                using var response = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, start.AddSeconds(n)));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
            expected[id] = 11;
        }

        // A collector sends a batch for the whole site, and one sensor's heartbeat on that sensor's topic.
        await using (var edge = await MqttDevice.ConnectAsync(App, $"collector-{collectorId}", collectorKey))
        {
            var batch = JsonSerializer.Serialize(sensors.Select(s => new { sensorId = s.Id, timestamp = start.AddSeconds(20).ToString("O") }));
            await edge.PublishAsync($"collectors/{collectorId}/heartbeats", batch);
            await edge.PublishAsync($"sensors/{sensors[0].Id}/heartbeat", SensorsApi.Heartbeat(sensors[0].Id, start.AddSeconds(21)));
        }
        foreach (var (id, _) in sensors)
        {
            expected[id] += id == sensors[0].Id ? 2 : 1;
        }

        foreach (var (id, rows) in expected)
        {
            Assert.True(await StoredAsync(id, rows), $"sensor {id}: {await Api.HeartbeatRowsAsync(id) - 1} heartbeats stored besides the probe, expected {rows}");
        }
    }

    [Fact]
    public async Task Bad_credentials_are_refused_at_connect()
    {
        var (id, key) = await ReadySensorAsync("mqtt-credentials");
        var (otherId, _) = await ReadySensorAsync("mqtt-credentials-other");
        var (collectorId, collectorKey) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("mqtt-edge"));

        (string User, string Password, string Why)[] refused =
        [
            (id.ToString(), "s360s_not-a-key", "a wrong key"),
            (otherId.ToString(), key, "another sensor's id as user name"),
            ("some-device", key, "a sensor key under a user name that is not the sensor's id"),
            (id.ToString(), collectorKey, "a collector key under a sensor's id"),
            ($"collector-{collectorId + 1000}", collectorKey, "another collector key's id"),
        ];
        foreach (var (user, password, why) in refused)
        {
            var refusal = await Record.ExceptionAsync(async () => await (await MqttDevice.ConnectAsync(App, user, password)).DisposeAsync());
            Assert.True(refusal is MqttRefusedException, $"{why}: {refusal?.Message ?? "connected"}");
        }
        await using var accepted = await MqttDevice.ConnectAsync(App, $"collector-{collectorId}", collectorKey);
        Assert.True(accepted.IsConnected);
    }

    [Fact]
    public async Task A_collector_signs_in_under_any_user_name_and_publishes_only_under_its_own_key()
    {
        var site = Guid.NewGuid().ToString("N")[..12];
        var (covered, _) = await ReadySensorAsync("mqtt-any-name", new { site });
        var (outside, _) = await ReadySensorAsync("mqtt-any-name-outside");
        var (collectorId, collectorKey) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("mqtt-gateway"), new { site });
        var (otherCollectorId, _) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("mqtt-gateway-other"));
        var at = Base();

        await using (var gateway = await MqttDevice.ConnectAsync(App, "north-gateway", collectorKey))
        {
            await gateway.PublishAsync($"collectors/{collectorId}/heartbeats",
                JsonSerializer.Serialize(new[] { new { sensorId = covered, timestamp = at.ToString("O") } }));
            await gateway.PublishAsync($"sensors/{covered}/heartbeat", SensorsApi.Heartbeat(covered, at.AddSeconds(1)));
        }
        Assert.True(await StoredAsync(covered, 2));

        // Whatever its name, the connection is the key's: another collector's topic, or a sensor outside its selector,
        // closes it, and nothing of it is routed.
        foreach (var topic in new[] { $"collectors/{otherCollectorId}/heartbeats", $"sensors/{outside}/heartbeat" })
        {
            await using var gateway = await MqttDevice.ConnectAsync(App, "north-gateway", collectorKey);
            var payload = topic.StartsWith("sensors/", StringComparison.Ordinal)
                ? SensorsApi.Heartbeat(outside, at)
                : JsonSerializer.Serialize(new[] { new { sensorId = outside, timestamp = at.ToString("O") } });
            await Assert.ThrowsAnyAsync<Exception>(() => gateway.PublishAsync(topic, payload));
        }
        Assert.Equal(1, await Api.HeartbeatRowsAsync(outside));
    }

    [Fact]
    public async Task A_connected_sensor_is_disconnected_within_seconds_when_its_key_is_rotated_and_signs_in_with_the_new_one()
    {
        var (id, oldKey) = await ReadySensorAsync("mqtt-rotated");
        var at = Base();
        await using var device = await MqttDevice.ConnectAsync(App, id.ToString(), oldKey);
        await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, at));
        Assert.True(await StoredAsync(id, 1));

        using var rotate = await Api.Worker.PostAsync($"/api/sensors/{id}/rotate-key", null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var newKey = (await SensorsApi.JsonAsync(rotate)).GetProperty("key").GetString()!;

        // The broker checked the old key only at connect: the connection itself has to be closed.
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(!device.IsConnected), TimeSpan.FromSeconds(20)),
            "the device was still connected with its old key 20 s after the rotation");
        Assert.True(await Poll.UntilAsync(async () =>
        {
            try
            {
                await using var again = await MqttDevice.ConnectAsync(App, id.ToString(), oldKey);
                return false;
            }
            catch (MqttRefusedException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(15)), "the old key still signed in after 15 s");

        await using var renewed = await MqttDevice.ConnectAsync(App, id.ToString(), newKey);
        await renewed.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, at.AddSeconds(1)));
        Assert.True(await StoredAsync(id, 2));
    }

    [Fact]
    public async Task A_revoked_collector_keys_open_connection_gets_nothing_more_stored_and_hears_why()
    {
        var site = Guid.NewGuid().ToString("N")[..12];
        var (covered, _) = await ReadySensorAsync("mqtt-revoked", new { site });
        var (collectorId, collectorKey) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("mqtt-revoked-edge"), new { site });
        var at = Base();
        string Batch(DateTimeOffset time) => JsonSerializer.Serialize(new[] { new { sensorId = covered, timestamp = time.ToString("O") } });

        await using var edge = await MqttDevice.ConnectAsync(App, "edge", collectorKey);
        await edge.SubscribeAsync($"collectors/{collectorId}/errors");
        await edge.PublishAsync($"collectors/{collectorId}/heartbeats", Batch(at));
        Assert.True(await StoredAsync(covered, 1));

        using (var revoke = await Api.Worker.DeleteAsync($"/api/collector-keys/{collectorId}"))
        {
            Assert.True(revoke.IsSuccessStatusCode, $"revoke answered {(int)revoke.StatusCode}");
        }
        // The broker checked the topic once for this connection; Ingestion.Api checks every message it forwards.
        var n = 0;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            await edge.PublishAsync($"collectors/{collectorId}/heartbeats", Batch(at.AddSeconds(++n)));
            return edge.Received.Any(r => r.Payload.Contains("\"status\":401", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(15)), "no 401 heard on the errors topic 15 s after the key was revoked");
        var refusedAt = at.AddSeconds(n);
        Assert.Equal(0, await Api.HeartbeatRowsAsync(covered, refusedAt));
    }

    [Fact]
    public async Task A_sensor_cannot_publish_to_another_sensors_topic()
    {
        var (id, key) = await ReadySensorAsync("mqtt-topic");
        var (otherId, _) = await ReadySensorAsync("mqtt-topic-other");
        var at = Base();

        await using var device = await MqttDevice.ConnectAsync(App, id.ToString(), key);
        // MQTT 3.1.1 has no refusal of a publish: RabbitMQ closes the connection instead of acknowledging it.
        await Assert.ThrowsAnyAsync<Exception>(() => device.PublishAsync($"sensors/{otherId}/heartbeat", SensorsApi.Heartbeat(otherId, at)));

        // Its own topic still works on a new connection, and the other sensor got nothing.
        await using var again = await MqttDevice.ConnectAsync(App, id.ToString(), key);
        await again.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, at));
        Assert.True(await StoredAsync(id, 1));
        // The refused message was never routed: nothing can still be on its way for the other sensor.
        Assert.Equal(1, await Api.HeartbeatRowsAsync(otherId));
    }

    [Fact]
    public async Task A_malformed_or_invalid_message_is_not_stored_and_the_device_hears_why_on_its_errors_topic()
    {
        var (id, key) = await ReadySensorAsync("mqtt-malformed");
        await using var device = await MqttDevice.ConnectAsync(App, id.ToString(), key);
        await device.SubscribeAsync($"sensors/{id}/errors");

        await device.PublishAsync($"sensors/{id}/heartbeat", "{\"sensorId\": ");
        await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, DateTimeOffset.UtcNow.AddDays(2)));
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(device.Received.Count >= 2), TimeSpan.FromSeconds(15)),
            $"errors heard: {device.Received.Count}");
        var errors = device.Received.Select(r => JsonDocument.Parse(r.Payload).RootElement).ToList();
        Assert.Contains(errors, e => e.GetProperty("status").GetInt32() == 400 && e.GetProperty("detail").GetString()!.Length > 0);
        Assert.Contains(errors, e => e.GetProperty("status").GetInt32() == 422);
        Assert.All(errors, e => Assert.Equal($"sensors/{id}/heartbeat", e.GetProperty("topic").GetString()));

        // Still connected, and a good heartbeat after them is stored alone.
        await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, Base()));
        Assert.True(await StoredAsync(id, 1));
    }

    [Fact]
    public async Task A_retired_sensors_key_is_refused_within_seconds()
    {
        var (id, key) = await ReadySensorAsync("mqtt-retired");
        await using (var device = await MqttDevice.ConnectAsync(App, id.ToString(), key))
        {
            await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, Base()));
        }
        Assert.True(await StoredAsync(id, 1));

        using (var retire = await Api.Worker.PostAsync($"/api/sensors/{id}/retire", null))
        {
            Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        }
        // The broker keeps an answer 5 s; then the sign-in is asked again.
        Assert.True(await Poll.UntilAsync(async () =>
        {
            try
            {
                await using var device = await MqttDevice.ConnectAsync(App, id.ToString(), key);
                return false;
            }
            catch (MqttRefusedException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(15)), "the retired sensor's key still signed in after 15 s");
    }
}
