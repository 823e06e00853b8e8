using System.Net.WebSockets;
using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Realtime.Gateway.Realtime;
using Sensors360.Contracts;

namespace Realtime.Gateway.Tests;

public sealed class StatusEventsConsumerTests
{
    [Fact]
    public async Task A_sensor_at_risk_on_the_bus_reaches_every_client_as_a_sensorAtRisk_frame()
    {
        var hub = new RealtimeHub();
        var sockets = new[] { new ScriptedWebSocket(blocking: false), new ScriptedWebSocket(blocking: false) };
        var options = new WebSocketRelayOptions { QueueCapacity = 8, SendTimeout = TimeSpan.FromSeconds(30) };
        var connections = sockets.Select(socket => new ClientConnection(socket, "tester", options, NullLogger.Instance)).ToArray();
        foreach (var connection in connections)
        {
            hub.Add(connection);
        }
        var sending = connections.Select(c => c.RunSendLoopAsync()).ToArray();

        await using var provider = new ServiceCollection()
            .AddSingleton(hub)
            .AddMassTransitTestHarness(bus => bus.AddConsumer<StatusEventsConsumer>())
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

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

        await harness.Stop();
        foreach (var connection in connections)
        {
            connection.Close(WebSocketCloseStatus.NormalClosure, null);
        }
        await Task.WhenAll(sending);
    }
}
