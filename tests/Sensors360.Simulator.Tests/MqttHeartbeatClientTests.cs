using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Sensors360.Simulator.Mqtt;

namespace Sensors360.Simulator.Tests;

/// <summary><see cref="MqttHeartbeatClient"/> against an in-process MQTT broker that refuses and goes away on demand.</summary>
public sealed class MqttHeartbeatClientTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private readonly int _port = FreePort();
    private readonly FakeTimeProvider _time = new(At);
    private readonly ConcurrentQueue<(string User, string Password, string ClientId)> _connects = new();
    private readonly ConcurrentQueue<(string User, string Topic, string Payload, MqttQualityOfServiceLevel Qos)> _published = new();
    private MqttServer? _broker;
    private volatile bool _refuse;

    public Task InitializeAsync() => StartBrokerAsync();

    public Task DisposeAsync() => StopBrokerAsync();

    [Fact]
    public async Task Each_sensor_publishes_its_heartbeat_as_itself_with_qos_1_over_one_kept_connection()
    {
        await using var client = Client();

        var first = await client.SendAsync(1001, "s360s_key1", At, CancellationToken.None);
        var second = await client.SendAsync(1002, "s360s_key2", At, CancellationToken.None);
        var again = await client.SendAsync(1001, "s360s_key1", At.AddSeconds(5), CancellationToken.None);

        Assert.All([first, second, again], outcome => Assert.Equal((HeartbeatResult.Accepted, 202), (outcome.Result, outcome.StatusCode)));
        Assert.Equal([("1001", "s360s_key1"), ("1002", "s360s_key2")], _connects.Select(c => (c.User, c.Password)));
        Assert.Equal(3, _published.Count);
        var (user, topic, payload, qos) = _published.First();
        Assert.Equal(("1001", "sensors/1001/heartbeat", MqttQualityOfServiceLevel.AtLeastOnce), (user, topic, qos));
        using var body = JsonDocument.Parse(payload);
        Assert.Equal(1001, body.RootElement.GetProperty("sensorId").GetInt64());
        Assert.Equal("2026-12-05T10:00:00.000Z", body.RootElement.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task A_refused_sensor_reads_as_an_unknown_key_and_tries_again_only_after_a_growing_backoff()
    {
        _refuse = true;
        await using var client = Client();

        async Task<HeartbeatOutcome> Beat() => await client.SendAsync(1001, "s360s_key1", _time.GetUtcNow(), CancellationToken.None);

        var refused = await Beat();
        Assert.Equal((HeartbeatResult.UnknownKey, 401), (refused.Result, refused.StatusCode));
        Assert.Contains("BadUserNameOrPassword", refused.Detail);
        Assert.Equal(HeartbeatResult.UnknownKey, (await Beat()).Result); // within the 1 s back-off: not asked again
        Assert.Single(_connects);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Beat();
        Assert.Equal(2, _connects.Count);
        _time.Advance(TimeSpan.FromSeconds(1)); // the back-off is 2 s now
        await Beat();
        Assert.Equal(2, _connects.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Beat();
        Assert.Equal(3, _connects.Count);

        _refuse = false;
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HeartbeatResult.Accepted, (await Beat()).Result);
        Assert.Equal(4, client.ConnectAttempts);
    }

    [Fact]
    public async Task A_lost_broker_fails_beats_without_throwing_and_the_connection_is_reopened_once_it_is_back()
    {
        await using var client = Client();
        Assert.Equal(HeartbeatResult.Accepted, (await client.SendAsync(1001, "s360s_key1", At, CancellationToken.None)).Result);

        await StopBrokerAsync();
        var lost = await client.SendAsync(1001, "s360s_key1", _time.GetUtcNow(), CancellationToken.None);
        Assert.Equal((HeartbeatResult.Failed, null), (lost.Result, lost.StatusCode));
        var stillDown = await client.SendAsync(1001, "s360s_key1", _time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(HeartbeatResult.Failed, stillDown.Result);

        await StartBrokerAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        var back = await client.SendAsync(1001, "s360s_key1", _time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(HeartbeatResult.Accepted, back.Result);
        Assert.Equal(2, _connects.Count);
        Assert.Equal(2, _published.Count);
        // One attempt while the broker was away; the second beat waited out the back-off instead of trying again.
        Assert.Equal(3, client.ConnectAttempts);
    }

    [Fact]
    public async Task The_same_id_with_another_key_signs_in_again_with_the_new_key()
    {
        await using var client = Client();

        await client.SendAsync(1001, "s360s_old", At, CancellationToken.None);
        var outcome = await client.SendAsync(1001, "s360s_new", At, CancellationToken.None);

        Assert.Equal(HeartbeatResult.Accepted, outcome.Result);
        Assert.Equal(["s360s_old", "s360s_new"], _connects.Select(c => c.Password));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(7, 60)]
    [InlineData(1000, 60)]
    public void The_connect_backoff_doubles_up_to_a_minute(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), MqttAnswers.ConnectBackoff(failures));

    private MqttHeartbeatClient Client() => new(
        Options.Create(new SimulatorOptions { Protocol = "mqtt", MqttAddress = $"tcp://127.0.0.1:{_port}", RequestTimeout = TimeSpan.FromSeconds(5) }),
        _time, NullLogger<MqttHeartbeatClient>.Instance);

    private async Task StartBrokerAsync()
    {
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(_port).Build();
        _broker = factory.CreateMqttServer(options);
        _broker.ValidatingConnectionAsync += e =>
        {
            _connects.Enqueue((e.UserName, e.Password, e.ClientId));
            e.ReasonCode = _refuse ? MqttConnectReasonCode.BadUserNameOrPassword : MqttConnectReasonCode.Success;
            return Task.CompletedTask;
        };
        _broker.InterceptingPublishAsync += e =>
        {
            var message = e.ApplicationMessage;
            _published.Enqueue((e.UserName, message.Topic, message.ConvertPayloadToString(), message.QualityOfServiceLevel));
            return Task.CompletedTask;
        };
        await _broker.StartAsync();
    }

    private async Task StopBrokerAsync()
    {
        if (_broker is { } broker)
        {
            _broker = null;
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
