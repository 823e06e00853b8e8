using System.Net.WebSockets;
using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Realtime.Gateway.Realtime;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Realtime.Gateway.Tests;

public sealed class StatusEventsConsumerTests
{
    [Fact]
    public async Task A_sensor_at_risk_on_the_bus_reaches_every_client_as_a_sensorAtRisk_frame()
    {
        await using var relay = await Relay.StartAsync(clients: 2);
        var (harness, sockets) = (relay.Harness, relay.Sockets);

        var at = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        await harness.Bus.Publish(new SensorAtRisk(42, "pump-7", at, 0.81, 0.97, at.AddDays(1), at.AddDays(4),
            ["interval up 40% in 6 h"]));

        Assert.True(await harness.GetConsumerHarness<StatusEventsConsumer>().Consumed.Any<SensorAtRisk>(),
            "The consumer never took the message.");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (sockets.Any(s => s.Sent.Count == 0))
        {
            await Task.Delay(10, deadline.Token);
        }

        foreach (var socket in sockets)
        {
            var root = JsonDocument.Parse(Assert.Single(socket.Sent)).RootElement;
            Assert.Equal("sensorAtRisk", root.GetProperty("type").GetString());
            var data = root.GetProperty("data");
            Assert.Equal(42, data.GetProperty("sensorId").GetInt64());
            Assert.Equal("pump-7", data.GetProperty("tag").GetString());
            Assert.Equal(0.81, data.GetProperty("risk7d").GetDouble());
            Assert.Equal(0.97, data.GetProperty("risk30d").GetDouble());
            Assert.Equal(at, data.GetProperty("at").GetDateTimeOffset());
            Assert.Equal(at.AddDays(1), data.GetProperty("windowStart").GetDateTimeOffset());
            Assert.Equal(at.AddDays(4), data.GetProperty("windowEnd").GetDateTimeOffset());
            Assert.Equal(["interval up 40% in 6 h"], data.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        }
    }

    [Fact]
    public async Task A_state_change_published_twice_under_one_message_id_reaches_clients_once()
    {
        await using var relay = await Relay.StartAsync(clients: 1);
        var (harness, socket) = (relay.Harness, relay.Sockets[0]);

        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var repeated = Guid.NewGuid();
        // What the monitor's outbox does when its worker dies after the broker's confirm and before deleting the row.
        await harness.Bus.Publish(new SensorStateChanged(7, "pump-7", "up", "late", at, at), c => c.MessageId = repeated);
        await harness.Bus.Publish(new SensorStateChanged(7, "pump-7", "up", "late", at, at), c => c.MessageId = repeated);
        await harness.Bus.Publish(new SensorStateChanged(8, "pump-8", "up", "late", at, at), c => c.MessageId = Guid.NewGuid());

        // The test harness itself records one consumption per message id, so the frames are what tells.
        Assert.True(await harness.GetConsumerHarness<StatusEventsConsumer>().Consumed.Any<SensorStateChanged>(c => c.Context.Message.SensorId == 8));
        await FramesSettledAsync(socket, expected: 2);
        Assert.Equal([7L, 8L], socket.Sent.Select(frame => JsonDocument.Parse(frame).RootElement.GetProperty("data").GetProperty("sensorId").GetInt64()).Order());
    }

    [Fact]
    public async Task A_batch_of_state_changes_reaches_clients_as_one_frame_per_change_in_order_and_a_change_relayed_again_once()
    {
        await using var relay = await Relay.StartAsync(clients: 1);
        var (harness, socket) = (relay.Harness, relay.Sockets[0]);

        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        SensorStateChangeItem Item(long sensorId, Guid id) => new(id, new SensorStateChanged(sensorId, $"pump-{sensorId}", "new", "up", at, at));
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        // The outbox relays again after a crash, and may cut the batch differently: the change of sensor 8 comes twice.
        await harness.Bus.Publish(new SensorStateChangeBatch([Item(7, first), Item(8, second)]));
        Assert.True(await harness.GetConsumerHarness<StatusEventsConsumer>().Consumed.Any<SensorStateChangeBatch>(c => c.Context.Message.Items[0].EventId == first));
        await harness.Bus.Publish(new SensorStateChangeBatch([Item(8, second), Item(9, third)]));
        Assert.True(await harness.GetConsumerHarness<StatusEventsConsumer>().Consumed.Any<SensorStateChangeBatch>(c => c.Context.Message.Items[0].EventId == second));

        // Both batches were consumed before this point, so a repeat would already be queued behind the third frame.
        await FramesSettledAsync(socket, expected: 3);
        var frames = socket.Sent.Select(frame => JsonDocument.Parse(frame).RootElement).ToList();
        Assert.All(frames, frame => Assert.Equal(ServerFrames.StateChanged, frame.GetProperty("type").GetString()));
        Assert.Equal([7L, 8L, 9L], frames.Select(frame => frame.GetProperty("data").GetProperty("sensorId").GetInt64()));
    }

    /// <summary>
    /// Waits (10 s at most) until <paramref name="expected"/> frames were sent, then 500 ms more while no further one
    /// comes: a repeat would be a frame beyond them, given the time the first ones took and more.
    /// </summary>
    static async Task FramesSettledAsync(ScriptedWebSocket socket, int expected)
    {
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (socket.Sent.Count < expected)
            {
                await Task.Delay(10, deadline.Token);
            }
        }
        var settled = System.Diagnostics.Stopwatch.StartNew();
        while (settled.Elapsed < TimeSpan.FromMilliseconds(500) && socket.Sent.Count == expected)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// The gateway's consumer on MassTransit's in-memory test harness, feeding a hub with connected clients whose
    /// sockets keep what they are sent. Disposing stops the bus, then closes the clients and waits for their send loops.
    /// </summary>
    sealed class Relay(ServiceProvider provider, ScriptedWebSocket[] sockets, ClientConnection[] connections, Task[] sending)
        : IAsyncDisposable
    {
        public ITestHarness Harness { get; } = provider.GetRequiredService<ITestHarness>();
        public ScriptedWebSocket[] Sockets => sockets;

        public static async Task<Relay> StartAsync(int clients)
        {
            var hub = new RealtimeHub();
            var sockets = Enumerable.Range(0, clients).Select(_ => new ScriptedWebSocket(blocking: false)).ToArray();
            var options = new WebSocketRelayOptions { QueueCapacity = 8, SendTimeout = TimeSpan.FromSeconds(30) };
            var connections = sockets.Select(socket => new ClientConnection(socket, "tester", options, NullLogger.Instance)).ToArray();
            foreach (var connection in connections)
            {
                hub.Add(connection);
            }
            var sending = connections.Select(c => c.RunSendLoopAsync()).ToArray();

            var provider = new ServiceCollection()
                .AddSingleton(hub)
                .AddSingleton(new RecentMessageIds())
                .AddMassTransitTestHarness(bus => bus.AddConsumer<StatusEventsConsumer>())
                .BuildServiceProvider(true);
            var relay = new Relay(provider, sockets, connections, sending);
            await relay.Harness.Start();
            return relay;
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.Stop();
            foreach (var connection in connections)
            {
                connection.Close(WebSocketCloseStatus.NormalClosure, null);
            }
            await Task.WhenAll(sending);
            await provider.DisposeAsync();
        }
    }
}
