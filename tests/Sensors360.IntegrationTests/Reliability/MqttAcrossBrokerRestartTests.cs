using System.Diagnostics;

namespace Sensors360.IntegrationTests.Reliability;

/// <summary>
/// A device publishing QoS 1 heartbeats while RabbitMQ restarts: every heartbeat the broker acknowledged (PUBACK) is
/// stored once, including those still between the MQTT queue, the forwarder and the heartbeats queue at the stop.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class MqttAcrossBrokerRestartTests(FaultsFixture fixture)
{
    [Fact]
    public async Task Every_heartbeat_the_broker_acknowledged_over_mqtt_is_stored_once_across_a_broker_restart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var api = new SensorsApi(fixture.App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("mqtt-restart"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        var start = SensorsApi.WholeSecond(TimeSpan.FromMinutes(20));

        var acknowledged = new List<DateTimeOffset>();
        var unanswered = 0;
        var sent = 0;
        MqttDevice? device = null;
        // Publishes one heartbeat; on a lost connection, reconnects (the broker may be down) until the deadline.
        async Task PublishNextAsync()
        {
            var at = start.AddMilliseconds(10 * sent++);
            try
            {
                device ??= await MqttDevice.ConnectAsync(fixture.App, id.ToString(), key);
                await device.PublishAsync($"sensors/{id}/heartbeat", SensorsApi.Heartbeat(id, at));
                acknowledged.Add(at);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                unanswered++;
                if (device is not null)
                {
                    await device.DisposeAsync();
                    device = null;
                }
                await Task.Delay(200, cts.Token);
            }
        }

        TimeSpan stopped;
        int inFlightAtStop;
        try
        {
            while (acknowledged.Count < 300)
            {
                await PublishNextAsync();
            }
            // The stop runs while the device keeps publishing.
            var clock = Stopwatch.StartNew();
            var acknowledgedAtStop = acknowledged.Count;
            var restart = Task.Run(async () =>
            {
                await fixture.StopAsync("messaging", cts.Token);
                await fixture.StartAsync("messaging", cts.Token);
            }, cts.Token);
            while (!restart.IsCompleted)
            {
                await PublishNextAsync();
            }
            await restart;
            stopped = clock.Elapsed;
            inFlightAtStop = acknowledged.Count - acknowledgedAtStop;
            var afterRestart = acknowledged.Count;
            while (acknowledged.Count < afterRestart + 300)
            {
                await PublishNextAsync();
            }
        }
        finally
        {
            if (device is not null)
            {
                await device.DisposeAsync();
            }
            await fixture.RestoreAsync("messaging");
        }

        // Every acknowledged heartbeat arrives, each once.
        long stored = 0;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            stored = await api.ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = $1 AND sensor_time = ANY($2)", id, acknowledged.ToArray());
            return stored == acknowledged.Count;
        }, TimeSpan.FromMinutes(2)), $"{acknowledged.Count - stored} of {acknowledged.Count} acknowledged heartbeats were not stored");
        // Of all this device sent (the key's probe heartbeat is minutes newer), nothing beyond what it sent is stored.
        var all = await api.ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = $1 AND sensor_time >= $2 AND sensor_time < $3",
            id, start, start.AddMilliseconds(10 * sent));

        ScenarioResults.Record(new(
            "MQTT: a device publishing QoS 1 heartbeats while RabbitMQ is stopped and started",
            "Every heartbeat the broker acknowledged (PUBACK) stored exactly once; the device reconnects once the broker is back",
            $"{acknowledged.Count} acknowledged, {unanswered} publishes unanswered or refused while the broker was away (the device reconnected), "
            + $"{inFlightAtStop} acknowledged from the stop command until the restart finished ({stopped.TotalSeconds:0.0} s); "
            + $"{stored} of the acknowledged stored, {all} rows in all (unanswered ones may be stored too)",
            acknowledged.Count, acknowledged.Count - stored, 0, stored == acknowledged.Count));
        Assert.InRange(all, acknowledged.Count, sent);
        Assert.True(unanswered > 0, "the device never noticed the broker was away: the restart did not happen while it published");
    }
}
