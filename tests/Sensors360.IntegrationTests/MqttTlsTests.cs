using MQTTnet.Exceptions;

namespace Sensors360.IntegrationTests;

/// <summary>With a certificate configured, devices also reach the MQTT listener over TLS, served with that certificate.</summary>
[Collection(TlsSystemCollection.Name)]
public sealed class MqttTlsTests(TlsSystemFixture fixture)
{
    static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_sensor_publishing_over_TLS_or_plain_MQTT_is_stored_and_the_TLS_port_speaks_no_plain_MQTT()
    {
        await using var api = new SensorsApi(fixture.App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("mqtt-tls"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id) == 1, StorageDeadline), "the probe heartbeat was not stored");

        // Only the configured certificate is trusted: the handshake fails on any other.
        await using (var device = await MqttDevice.ConnectAsync(fixture.App, id.ToString(), key, tls: fixture.Certificate))
        {
            await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }
        Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id) == 2, StorageDeadline),
            $"{await api.HeartbeatRowsAsync(id)} heartbeats stored, expected the probe and the one sent over TLS");

        // Plain MQTT stays open beside it (devices that cannot do TLS), signed in the same way.
        await using (var device = await MqttDevice.ConnectAsync(fixture.App, id.ToString(), key))
        {
            await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, DateTimeOffset.UtcNow.AddMinutes(-2)));
        }
        Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id) == 3, StorageDeadline),
            $"{await api.HeartbeatRowsAsync(id)} heartbeats stored, expected the probe and one each over TLS and plain MQTT");

        // Plain MQTT on the TLS port: no CONNACK, the connection fails.
        var tlsPort = fixture.App.GetEndpoint("messaging", "mqtts");
        var plain = new Uri($"tcp://{tlsPort.Host}:{tlsPort.Port}");
        await Assert.ThrowsAnyAsync<MqttCommunicationException>(() => MqttDevice.ConnectAsync(plain, id.ToString(), key));
    }
}
