using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Sensors360.Simulator.Api;
using Sensors360.Simulator.Demo;

namespace Sensors360.Simulator.Mqtt;

/// <summary>One simulated sensor's MQTT client: connects when it has something to send, backs off when that fails.</summary>
internal sealed class MqttSensorConnection : IAsyncDisposable
{
    private readonly long _sensorId;
    private readonly (string Host, int Port) _broker;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ThrottledLog _throttledLog;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private IMqttClient? _client;
    private int _failures;
    private DateTimeOffset _nextAttempt;
    private HeartbeatOutcome? _lastFailure;
    private int _connectAttempts;

    public MqttSensorConnection(long sensorId, string key, (string Host, int Port) broker, TimeSpan timeout, TimeProvider time,
        ILogger logger, ThrottledLog throttledLog)
    {
        (_sensorId, Key, _broker, _timeout, _time, _logger, _throttledLog) = (sensorId, key, broker, timeout, time, logger, throttledLog);
    }

    public string Key { get; }

    public int ConnectAttempts => Volatile.Read(ref _connectAttempts);

    public async Task<HeartbeatOutcome> SendAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_client is not { IsConnected: true } && await ConnectAsync(cancellationToken) is { } notConnected)
            {
                return notConnected;
            }

            return await PublishAsync(_client!, topic, payload, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <returns>Null once connected; else why not, without trying while the back-off lasts.</returns>
    private async Task<HeartbeatOutcome?> ConnectAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (now < _nextAttempt && _lastFailure is { } last)
        {
            return last with { Detail = $"{last.Detail} Next connect attempt in {(_nextAttempt - now).TotalSeconds:0} s." };
        }

        await DropClientAsync();
        var client = new MqttClientFactory().CreateMqttClient();
        client.DisconnectedAsync += e =>
        {
            // Not when it was dropped here (_client no longer this one): only a loss the simulator did not ask for.
            if (e.ClientWasConnected && ReferenceEquals(Volatile.Read(ref _client), client) && _throttledLog.ShouldLog("mqtt-lost"))
            {
                _logger.LogWarning(e.Exception, "MQTT: sensor {SensorId}'s connection to {Host}:{Port} was lost ({Reason}); it reconnects at its next beat (this is logged at most once a minute).",
                    _sensorId, _broker.Host, _broker.Port, e.ReasonString ?? e.Reason.ToString());
            }

            return Task.CompletedTask;
        };
        _client = client;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithCredentials(_sensorId.ToString(System.Globalization.CultureInfo.InvariantCulture), Key)
            .WithProtocolVersion(MqttProtocolVersion.V311) // RabbitMQ 3.10 speaks 3.1.1 at most (docs/mqtt.md)
            .WithClientId($"sensors360-sim-{_sensorId}")
            .WithCleanSession()
            .WithTimeout(_timeout)
            .Build();

        Interlocked.Increment(ref _connectAttempts);
        HeartbeatOutcome failure;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            var result = await client.ConnectAsync(options, timeout.Token);
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                (_failures, _lastFailure) = (0, null);
                return null;
            }

            failure = MqttAnswers.Refused(result.ResultCode, result.ReasonString);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = MqttAnswers.Failed($"Connecting to the MQTT broker at {_broker.Host}:{_broker.Port} timed out.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = MqttAnswers.Failed($"Connecting to the MQTT broker at {_broker.Host}:{_broker.Port} failed: {Message(ex)}");
        }

        var backoff = MqttAnswers.ConnectBackoff(++_failures);
        (_nextAttempt, _lastFailure) = (_time.GetUtcNow() + backoff, failure);
        if (_throttledLog.ShouldLog($"mqtt-connect-{failure.Result}"))
        {
            _logger.LogWarning("MQTT: sensor {SensorId} could not connect ({Detail}); next attempt in {Backoff} (back-off up to a minute; logged at most once a minute).",
                _sensorId, failure.Detail, backoff);
        }

        await DropClientAsync();
        return failure;
    }

    private async Task<HeartbeatOutcome> PublishAsync(IMqttClient client, string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            var result = await client.PublishAsync(message, timeout.Token);
            return result.IsSuccess
                ? MqttAnswers.Published
                : new HeartbeatOutcome(HeartbeatResult.Rejected, null, Detail: $"The MQTT broker did not take the heartbeat: {result.ReasonCode} {result.ReasonString}".TrimEnd());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No PUBACK in time: the connection is suspect; the next beat starts a new one.
            await DropClientAsync();
            return MqttAnswers.Failed("The MQTT broker did not acknowledge the heartbeat in time.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The connection was lost under the publish (e.g. the broker closed it).
            await DropClientAsync();
            return MqttAnswers.Failed($"Publishing over MQTT failed: {Message(ex)}");
        }
    }

    private async Task DropClientAsync()
    {
        if (Interlocked.Exchange(ref _client, null) is not { } client)
        {
            return;
        }

        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already gone; nothing to tell it.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static string Message(Exception ex) => ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await DropClientAsync();
        }
        finally
        {
            _gate.Release();
        }
    }
}
