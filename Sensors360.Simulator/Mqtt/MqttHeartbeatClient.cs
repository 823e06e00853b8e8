using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sensors360.Simulator.Api;
using Sensors360.Simulator.Demo;

namespace Sensors360.Simulator.Mqtt;

/// <summary>
/// Sends heartbeats over MQTT as the sensors themselves would: each sensor is its own client, signed in with its id
/// and key, publishing the JSON of <c>POST /api/heartbeats</c> to <c>sensors/{id}/heartbeat</c> with QoS 1. A
/// heartbeat counts as sent once the broker acknowledged it (PUBACK). Connections are opened at a sensor's first beat
/// and kept; one that is refused or lost is opened again at a later beat, after a back-off.
/// </summary>
public sealed class MqttHeartbeatClient : IHeartbeatSender, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<long, MqttSensorConnection> _connections = new();
    private readonly (string Host, int Port) _broker;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ThrottledLog _throttledLog;

    public MqttHeartbeatClient(IOptions<SimulatorOptions> options, TimeProvider time, ILogger<MqttHeartbeatClient> logger)
    {
        _broker = HeartbeatProtocols.ParseMqttAddress(options.Value.MqttAddress)
            ?? throw new InvalidOperationException($"Simulator:MqttAddress is not an MQTT address: '{options.Value.MqttAddress}'.");
        _timeout = options.Value.RequestTimeout;
        _time = time;
        _logger = logger;
        _throttledLog = new ThrottledLog(time, TimeSpan.FromMinutes(1));
    }

    /// <summary>Connection attempts so far, across sensors (for tests: a refused sensor must not retry in a loop).</summary>
    public int ConnectAttempts => _connections.Values.Sum(c => c.ConnectAttempts);

    public static string TopicOf(long sensorId) => $"sensors/{sensorId}/heartbeat";

    /// <summary>The body <c>POST /api/heartbeats</c> takes, with the same timestamp form as over HTTP.</summary>
    public static byte[] PayloadOf(long sensorId, DateTimeOffset now) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { sensorId, timestamp = HeartbeatRequests.IsoUtc(now) }, Json));

    public async Task<HeartbeatOutcome> SendAsync(long sensorId, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = _connections.GetOrAdd(sensorId, id => NewConnection(id, key));
        if (connection.Key != key)
        {
            // The same id with another key: a new fleet after the database was reset (ids start again).
            var fresh = NewConnection(sensorId, key);
            _connections[sensorId] = fresh;
            await connection.DisposeAsync();
            connection = fresh;
        }

        return await connection.SendAsync(TopicOf(sensorId), PayloadOf(sensorId, now), cancellationToken);
    }

    private MqttSensorConnection NewConnection(long sensorId, string key) =>
        new(sensorId, key, _broker, _timeout, _time, _logger, _throttledLog);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_connections.Values.Select(c => c.DisposeAsync().AsTask()));
        _connections.Clear();
    }
}
