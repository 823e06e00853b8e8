using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests.Reliability;

[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class OutboxTests(FaultsFixture fixture)
{
    [Fact]
    public async Task A_state_change_committed_by_a_worker_killed_before_publishing_still_arrives_once()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var api = new SensorsApi(fixture.App);
        var (sensorId, key) = await RegisterAsync(api, "outbox", expectedIntervalSeconds: 20, graceSeconds: 0);

        // A durable queue of the test's own, bound before the broker goes away, so the event waits there for it.
        var queue = $"outbox-test-{Guid.NewGuid():N}"[..24];
        var received = new ConcurrentQueue<SensorStateChanged>();
        var bus = await AppBus.CreateAsync(fixture.App, rabbit => rabbit.ReceiveEndpoint(queue, endpoint =>
        {
            endpoint.AutoDelete = false;
            endpoint.Durable = true;
            endpoint.Handler<SensorStateChangeBatch>(context =>
            {
                // Only the flip under test: the sensor's new -> up may be relayed after this queue is bound.
                foreach (var item in context.Message.Items.Where(i => i.Change.SensorId == sensorId && i.Change.To == "late"))
                {
                    received.Enqueue(item.Change);
                }
                return Task.CompletedTask;
            });
        }));
        await bus.StartAsync(cts.Token);
        try
        {
            using (var posted = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(sensorId, SensorsApi.RecentTime())))
            {
                Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            }
            Assert.True(await Poll.UntilAsync(async () => await StateAsync(api, sensorId) == "up", TimeSpan.FromSeconds(60)),
            $"sensor {sensorId} is still {await StateAsync(api, sensorId)}");

            // With the broker down the worker still scans: the sensor goes late, and the flip commits with its outbox event.
            await fixture.StopAsync("messaging", cts.Token);
            Assert.True(await Poll.UntilAsync(async () => await StateAsync(api, sensorId) == "late", TimeSpan.FromSeconds(60)),
                "the sensor never went late");
            Assert.Equal(1, await PendingEventsAsync(api, sensorId));
            Assert.Empty(received);

            // Killed between the commit and the publish.
            Process.GetProcessById(fixture.ProcessIdOf("monitor-worker")).Kill(entireProcessTree: true);
            await fixture.App.ResourceNotifications.WaitForResourceAsync("monitor-worker", KnownResourceStates.TerminalStates, cts.Token);
            Assert.Equal(1, await PendingEventsAsync(api, sensorId));

            await fixture.StartAsync("messaging", cts.Token);
            await fixture.StartAsync("monitor-worker", cts.Token);
            Assert.True(await Poll.UntilAsync(async () => await PendingEventsAsync(api, sensorId) == 0, TimeSpan.FromSeconds(60)),
                "the restarted worker did not relay the pending event");
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(!received.IsEmpty), TimeSpan.FromSeconds(60)),
                "the event never arrived");
            var late = Assert.Single(received);
            Assert.Equal(("up", "late"), (late.From, late.To));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
            await fixture.RestoreAsync("messaging");
            await fixture.RestoreAsync("monitor-worker");
            using var management = await fixture.App.CreateManagementClientAsync();
            await management.DeleteAsync($"/api/queues/%2F/{queue}");
        }
    }

    [Fact]
    public async Task A_worker_behind_its_queue_calls_no_sensor_late_whose_heartbeats_wait_unread()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var api = new SensorsApi(fixture.App);
        var (sensorId, key) = await RegisterAsync(api, "behind", expectedIntervalSeconds: 1, graceSeconds: 1);
        var sent = 1;   // the heartbeat that showed the key accepted
        async Task SendAsync()
        {
            using var posted = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(sensorId, DateTimeOffset.UtcNow.AddMilliseconds(-sent)));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            sent++;
        }

        await SendAsync();
        Assert.True(await Poll.UntilAsync(async () => await StateAsync(api, sensorId) == "up", TimeSpan.FromSeconds(60)),
            $"sensor {sensorId} is still {await StateAsync(api, sensorId)}");
        try
        {
            // The sensor keeps reporting every half second while no worker stores anything: its deadline (2 s after the
            // last stored heartbeat) passes long before the worker is back and reads the queue.
            await fixture.StopAsync("monitor-worker", cts.Token);
            var down = Stopwatch.StartNew();
            while (down.Elapsed < TimeSpan.FromSeconds(8))
            {
                await SendAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            var starting = fixture.StartAsync("monitor-worker", cts.Token);
            while (!starting.IsCompleted)
            {
                await SendAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            await starting;
            for (var i = 0; i < 6; i++)
            {
                await SendAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(sensorId) == sent, TimeSpan.FromSeconds(60)),
                $"stored {await api.HeartbeatRowsAsync(sensorId)} of {sent}");
        }
        finally
        {
            await fixture.RestoreAsync("monitor-worker");
        }

        var flips = await api.TextAsync(
            "SELECT COALESCE(string_agg(from_state || '->' || to_state, ', ' ORDER BY id), '') FROM sensor_state_changes WHERE sensor_id = $1", sensorId);
        Assert.Equal("new->up", flips);
    }

    /// <summary>Registers a sensor with its own timings and waits until the API accepts its key (one heartbeat stored).</summary>
    static async Task<(long Id, string Key)> RegisterAsync(SensorsApi api, string name, int expectedIntervalSeconds, int graceSeconds)
    {
        using var response = await api.Worker.PostAsJsonAsync("/api/sensors", new
        {
            tag = SensorsApi.UniqueTag(name), labels = new { site = "north" }, expectedIntervalSeconds, graceSeconds, staleAfterSeconds = 600,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await SensorsApi.JsonAsync(response);
        var (id, key) = (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
        // Longer than usual: the other test here restarts the broker, and the API's registry feed reconnects after it.
        await api.WaitUntilKeyAcceptedAsync(id, key, TimeSpan.FromSeconds(60));
        return (id, key);
    }

    static Task<string> StateAsync(SensorsApi api, long sensorId) =>
        api.TextAsync("SELECT state FROM sensor_liveness WHERE sensor_id = $1", sensorId);

    static Task<long> PendingEventsAsync(SensorsApi api, long sensorId) =>
        api.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE message_type = 'SensorStateChanged' AND (payload->>'sensorId')::bigint = $1", sensorId);
}
