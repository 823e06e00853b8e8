using System.Diagnostics.Metrics;
using System.Text.Json;
using Ingestion.Api.Credentials;
using Ingestion.Api.Heartbeats;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Ingestion.Api.Mqtt;

/// <summary>
/// Reads what MQTT devices published (the durable <see cref="QueueNames.MqttHeartbeats"/> queue, bound to
/// <c>amq.topic</c>), applies the HTTP API's rules to each message — the same parser, limits and authorisation — and
/// forwards the valid ones through the <see cref="HeartbeatBatcher"/>. A message is acknowledged only once the broker
/// confirmed its heartbeats on the heartbeats queue, or once it is known never to be storable: then it is dropped,
/// counted, logged and its reason published to the device's errors topic.
/// </summary>
public sealed partial class MqttForwarder(
    BrokerAddress broker, HeartbeatBatcher batcher, CredentialCache credentials, CredentialLookup lookup, HeartbeatBacklog backlog,
    IOptions<MqttOptions> options, IOptions<IngestionOptions> ingestion, IOptions<MessagingOptions> messaging,
    TimeProvider clock, IMeterFactory meters, ILogger<MqttForwarder> logger) : BackgroundService
{
    const string Exchange = "amq.topic";
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    readonly Counter<long> _messages = meters.Create(Extensions.ProductMeter).CreateCounter<long>(
        "sensors360.ingestion.mqtt_messages", "{message}", "MQTT messages read, by outcome (forwarded, or why refused)");
    volatile bool _ready;

    /// <summary>The queue exists and is bound: a device's publish now has somewhere to go.</summary>
    public bool Ready => _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var factory = broker.CreateConnectionFactory();
        factory.ClientProvidedName = "Ingestion.Api MQTT forwarder";
        factory.AutomaticRecoveryEnabled = true;
        factory.TopologyRecoveryEnabled = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync(broker.Endpoints, stoppingToken);
                // As many messages handled at once as the broker hands over: each waits for its batch's confirm.
                var prefetch = (ushort)options.Value.Prefetch;
                await using var channel = await connection.CreateChannelAsync(
                    // Confirms on, as on every channel this service publishes on: an error report completes once the
                    // broker has it.
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                        consumerDispatchConcurrency: prefetch), stoppingToken);
                await DeclareAsync(channel, stoppingToken);
                await channel.BasicQosAsync(0, prefetch, false, stoppingToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => HandleAsync(channel, delivery, stoppingToken);
                await channel.BasicConsumeAsync(QueueNames.MqttHeartbeats, autoAck: false, consumer, stoppingToken);
                _ready = true;
                LogConsuming(logger, QueueNames.MqttHeartbeats);
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The broker is down or refused us: the automatic recovery covers an open connection; this, the first.
                LogUnavailable(logger, ex.Message);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken)
    {
        Dictionary<string, object?>? arguments = messaging.Value.QuorumQueues ? new() { ["x-queue-type"] = "quorum" } : null;
        await channel.QueueDeclareAsync(QueueNames.MqttHeartbeats, durable: true, exclusive: false, autoDelete: false, arguments,
            cancellationToken: cancellationToken);
        foreach (var binding in MqttTopic.HeartbeatBindings)
        {
            await channel.QueueBindAsync(QueueNames.MqttHeartbeats, Exchange, binding, cancellationToken: cancellationToken);
        }
    }

    async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        try
        {
            await ForwardAsync(delivery.RoutingKey, delivery.Body, stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unacknowledged: the broker gives the message to another replica, or to this one when it is back.
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException)
        {
            // The channel went with its connection; the broker redelivers the message.
        }

        // Until the message is forwarded or refused it stays unacknowledged, and every wait is here, in this process: a
        // message given back to the broker would come again as new, and an empty one (a heartbeat "now") be stamped twice.
        async Task ForwardAsync(string routingKey, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            if (MqttTopic.Parse(routingKey) is not { Kind: MqttTopicKind.SensorHeartbeat or MqttTopicKind.CollectorHeartbeats } topic)
            {
                await RefuseAsync(channel, routingKey, null, new HeartbeatRejection(400, "Unknown topic",
                    "Heartbeats go to sensors/{sensorId}/heartbeat or collectors/{collectorKeyId}/heartbeats.", null), cancellationToken);
                return;
            }
            while (credentials.LoadedAt is null)
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
            // Monitor behind: the message waits here, unacknowledged and safe in the broker, rather than be refused.
            while (BacklogRule.Excess(backlog.Current, ingestion.Value.MaxBacklogMessages) is not null)
            {
                await Task.Delay(ingestion.Value.BacklogRetryAfter, cancellationToken);
            }

            if (body.Length > IngestionOptions.MaxBodyBytes)
            {
                await RefuseAsync(channel, routingKey, topic, new HeartbeatRejection(413, "Message too large",
                    $"A message is at most {IngestionOptions.MaxBodyBytes} bytes (1 MiB), as a request body is; split the heartbeats.", null), cancellationToken);
                return;
            }
            var now = clock.GetUtcNow();
            // An empty message on a sensor's topic is one heartbeat, now.
            var parsed = body.IsEmpty && topic.Kind == MqttTopicKind.SensorHeartbeat
                ? new HeartbeatParseResult([new ParsedHeartbeat(topic.Id, now)], null)
                : HeartbeatParser.ParseJson(body.Span, now, ingestion.Value.Limits);
            if (!parsed.IsValid)
            {
                await RefuseAsync(channel, routingKey, topic, parsed.Rejection, cancellationToken);
                return;
            }

            var items = new Heartbeat[parsed.Items.Count];
            for (var i = 0; i < items.Length; i++)
            {
                var item = parsed.Items[i];
                if (await AuthorizeAsync(topic, item.SensorId, i, cancellationToken) is { } refused)
                {
                    await RefuseAsync(channel, routingKey, topic, refused, cancellationToken);
                    return;
                }
                items[i] = new Heartbeat(item.SensorId, item.SensorTime, now);
            }
            // Not confirmed: the broker is down or slow. The same heartbeats, stamped once, are sent again.
            while (await batcher.SubmitAsync(items, cancellationToken) is { Confirmed: false } result)
            {
                LogNotForwarded(logger, topic.ToString(), result.Failure);
                await Task.Delay(RetryDelay, cancellationToken);
            }
            _messages.Add(1, new KeyValuePair<string, object?>("outcome", "forwarded"));
        }
    }

    /// <summary>The HTTP API's rule, with the sender the topic names (the broker let only that key publish there).</summary>
    async Task<HeartbeatRejection?> AuthorizeAsync(MqttTopic topic, long sensorId, int index, CancellationToken cancellationToken)
    {
        if (topic.Kind == MqttTopicKind.SensorHeartbeat)
        {
            return credentials.Current.FindSensor(topic.Id) is { } own
                ? HeartbeatAuthorization.Check(credentials.Current, own, null, sensorId, index)
                : new HeartbeatRejection(403, "Sensor not registered", $"Sensor {topic.Id} is not registered.", index);
        }
        if (credentials.Current.FindCollector(topic.Id) is not { } collector)
        {
            return new HeartbeatRejection(401, "Unknown key", $"Collector key {topic.Id} is revoked or unknown.", null);
        }
        if (credentials.Current.FindSensor(sensorId) is null)
        {
            await lookup.TryAddSensorAsync(sensorId, cancellationToken);
        }
        return HeartbeatAuthorization.Check(credentials.Current, null, collector, sensorId, index);
    }

    /// <summary>Drops a message that can never be stored: counted, logged and told to the device on its errors topic.</summary>
    async Task RefuseAsync(IChannel channel, string routingKey, MqttTopic? topic, HeartbeatRejection rejection, CancellationToken cancellationToken)
    {
        _messages.Add(1, new KeyValuePair<string, object?>("outcome", rejection.Title));
        LogRefused(logger, routingKey, rejection.Title, rejection.Detail);
        if (topic is not { } known)
        {
            return;
        }
        var error = JsonSerializer.SerializeToUtf8Bytes(
            new MqttError(known.ToString(), rejection.StatusCode, rejection.Title, rejection.Detail, rejection.ItemIndex), JsonSerializerOptions.Web);
        try
        {
            // Nobody may be listening: a report nobody takes is dropped by the exchange, and the refusal is logged either way.
            await channel.BasicPublishAsync(Exchange, known.ErrorsRoutingKey, error, cancellationToken);
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException
            or RabbitMQ.Client.Exceptions.PublishException)
        {
            // The channel went with its connection (the message is redelivered and refused again), or the broker
            // refused the report itself.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT ingest: consuming {Queue}")]
    static partial void LogConsuming(ILogger logger, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT ingest: the broker is unavailable ({Reason}); trying again")]
    static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message on {Topic} not forwarded yet: {Failure}")]
    static partial void LogNotForwarded(ILogger logger, string topic, string? failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT message on {RoutingKey} refused: {Title}: {Detail}")]
    static partial void LogRefused(ILogger logger, string routingKey, string title, string detail);
}

/// <summary>What a device hears on its errors topic about a message that was not stored (the HTTP API's problem fields).</summary>
public sealed record MqttError(string Topic, int Status, string Title, string Detail, int? ItemIndex);
