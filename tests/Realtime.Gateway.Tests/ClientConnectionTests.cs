using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Realtime.Gateway.Realtime;
using Sensors360.Contracts;

namespace Realtime.Gateway.Tests;

public sealed class ClientConnectionTests
{
    static readonly WebSocketRelayOptions Options = new() { QueueCapacity = 8, SendTimeout = TimeSpan.FromSeconds(30) };

    static ClientConnection Connect(WebSocket socket, WebSocketRelayOptions? options = null) =>
        new(socket, "tester", options ?? Options, NullLogger.Instance);

    static SensorStatusSnapshot Snapshot(int total) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(total), total, 0, total, 0, 0, 0, 0, null, null, 0);

    static SensorStateChanged Change(long sensorId) => new(sensorId, $"s{sensorId}", "new", "up", DateTimeOffset.UnixEpoch, null);

    static (string Type, JsonElement Data) Parse(string frame)
    {
        var root = JsonDocument.Parse(frame).RootElement;
        return (root.GetProperty("type").GetString()!, root.GetProperty("data"));
    }

    static async Task EventuallyAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    [Fact]
    public async Task A_client_that_falls_behind_gets_only_the_newest_snapshot()
    {
        var hub = new RealtimeHub();
        var socket = new ScriptedWebSocket(blocking: true);
        var connection = Connect(socket);
        hub.Add(connection);
        var sending = connection.RunSendLoopAsync();

        hub.PublishSnapshot(Snapshot(1));
        await EventuallyAsync(() => socket.SendsStarted == 1); // being sent: the client is not reading
        for (var total = 2; total <= 50; total++)
        {
            hub.PublishSnapshot(Snapshot(total)); // far more than the queue holds, yet no overflow
        }
        socket.Release(10);
        await EventuallyAsync(() => socket.Sent.Count == 2);

        var totals = socket.Sent.Select(Parse).Select(f => f.Data.GetProperty("total").GetInt32()).ToList();
        Assert.Equal([1, 50], totals);
        Assert.Null(socket.ClosedWith);
        connection.Close(WebSocketCloseStatus.NormalClosure, null);
        await sending;
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_closed_as_too_slow_while_another_receives_everything()
    {
        var hub = new RealtimeHub();
        var stuck = new ScriptedWebSocket(blocking: true);
        var reader = new ScriptedWebSocket(blocking: false);
        var slow = Connect(stuck);
        // In-process broadcasts come faster than any socket drains them; the fast client's queue takes the burst.
        var fast = Connect(reader, new WebSocketRelayOptions { QueueCapacity = 64 });
        hub.Add(slow);
        hub.Add(fast);
        var sending = new[] { slow.RunSendLoopAsync(), fast.RunSendLoopAsync() };

        const int changes = 20; // more than the slow client's QueueCapacity (8) + the one frame in flight
        hub.Broadcast(ServerFrames.StateChanged, Change(1));
        await EventuallyAsync(() => stuck.SendsStarted == 1);
        for (var id = 2; id <= changes; id++)
        {
            hub.Broadcast(ServerFrames.StateChanged, Change(id));
        }

        // The fast client got everything while the slow one still had its first frame in flight.
        await EventuallyAsync(() => reader.Sent.Count == changes);
        Assert.False(sending[0].IsCompleted);
        stuck.Release(); // it reads again: the frame in flight completes, the backlog is dropped, then the close
        await sending[0].WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(stuck.Sent);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, stuck.ClosedWith);
        Assert.Equal(ClientConnection.TooSlow, stuck.ClosedReason);
        Assert.Equal(Enumerable.Range(1, changes).Select(i => (long)i),
            reader.Sent.Select(Parse).Select(f => f.Data.GetProperty("sensorId").GetInt64()));
        fast.Close(WebSocketCloseStatus.NormalClosure, null);
        await sending[1];
    }

    [Fact]
    public async Task A_send_that_outlasts_the_send_timeout_drops_the_client()
    {
        var socket = new ScriptedWebSocket(blocking: true);
        var connection = Connect(socket, new WebSocketRelayOptions { QueueCapacity = 8, SendTimeout = TimeSpan.FromMilliseconds(200) });
        var sending = connection.RunSendLoopAsync();
        connection.Enqueue(ServerFrames.Create(ServerFrames.Stale, new { count = 1 }));
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(socket.Sent);
        Assert.True(socket.Aborted);
    }

    [Fact]
    public void Live_heartbeats_go_only_to_connections_that_follow_the_sensor()
    {
        var hub = new RealtimeHub();
        var following = Connect(new ScriptedWebSocket(blocking: false));
        var other = Connect(new ScriptedWebSocket(blocking: false), new WebSocketRelayOptions { QueueCapacity = 8, MaxSubscriptions = 1 });
        hub.Add(following);
        hub.Add(other);
        Assert.True(following.TrySubscribe(7, out _));
        hub.Follow(7);
        Assert.True(other.TrySubscribe(8, out _));
        Assert.False(other.TrySubscribe(9, out var full));
        Assert.True(full);

        Assert.True(hub.HasFollowers);
        hub.Remove(following);
        hub.Remove(other); // 8 was never followed through the hub: removing it must not go negative
        Assert.False(hub.HasFollowers);
    }

    [Theory]
    [InlineData(null, "localhost:8080", true)] // not a browser
    [InlineData("http://localhost:8080", "localhost:8080", true)]
    [InlineData("https://LOCALHOST:8080", "localhost:8080", true)]
    [InlineData("http://localhost:5173", "localhost:8080", false)]
    [InlineData("http://evil.example", "localhost:8080", false)]
    [InlineData("null", "localhost:8080", false)] // sandboxed iframes and file:// pages
    [InlineData("http://dev.example:5173", "localhost:8080", true)] // configured
    public void Only_the_gateways_own_origin_and_configured_ones_may_open_the_socket(string? origin, string host, bool allowed)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Host = new Microsoft.AspNetCore.Http.HostString(host);
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }
        Assert.Equal(allowed, WebSocketApi.IsAllowedOrigin(context.Request, ["http://dev.example:5173/"]));
    }
}
