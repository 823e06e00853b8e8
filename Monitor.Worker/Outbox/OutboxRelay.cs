using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Monitor.Worker.Monitoring;
using Npgsql;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Outbox;

/// <summary>
/// Publishes the events in <c>outbox_messages</c> to RabbitMQ and deletes them once the broker confirmed them. An event
/// is written in the same transaction as the change that caused it, so a worker that dies after the commit loses
/// nothing: the next relay (this worker restarted, or any replica) publishes it. One relay at a time publishes, among
/// all replicas: it holds a session advisory lock, released when it stops or its connection dies. It holds no
/// transaction open while it waits for the broker: an open transaction would keep PostgreSQL from pruning the old row
/// versions of <c>sensor_liveness</c>, so the heartbeat path's HOT updates would fail and the table bloat during a
/// burst of state changes. State changes go out together, as one <see cref="SensorStateChangeBatch"/> per round of up
/// to <see cref="BatchSize"/> events. An event published just before a crash, whose row was not yet deleted, is
/// published again with the same id (the message id, or its id within the batch): consumers drop the repeat.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, IOptions<MonitorOptions> options, MonitorMetrics metrics,
    ILogger<OutboxRelay> logger)
    : BackgroundService
{
    const int BatchSize = 1_000;

    const string Next = """
        SELECT id, message_id, message_type, payload::text FROM outbox_messages ORDER BY id LIMIT @limit
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.OutboxPollPeriod;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayAllAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Broker or database unavailable: the events stay in the table and the next round tries again.
                LogRelayFailed(ex);
            }

            try
            {
                await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Publishes every event in the table, unless another replica holds the relay's lock.</summary>
    async Task RelayAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await SessionLocks.TryTakeAsync(connection, SessionLocks.OutboxRelay, cancellationToken))
        {
            return;
        }
        try
        {
            while (await PublishNextAsync(connection, cancellationToken) == BatchSize)
            {
            }
        }
        finally
        {
            await SessionLocks.ReleaseAsync(connection, SessionLocks.OutboxRelay);
        }
    }

    /// <returns>How many events were published.</returns>
    async Task<int> PublishNextAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        var changes = new List<SensorStateChangeItem>();
        var others = new List<(Guid MessageId, object Message)>();
        await using (var next = new NpgsqlCommand(Next, connection))
        {
            next.Parameters.Add(new NpgsqlParameter<int>("limit", BatchSize));
            await using var reader = await next.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
                var messageId = reader.GetGuid(1);
                switch (Deserialize(reader.GetString(2), reader.GetString(3)))
                {
                    case SensorStateChanged change:
                        changes.Add(new SensorStateChangeItem(messageId, change));
                        break;
                    case var other:
                        others.Add((messageId, other));
                        break;
                }
            }
        }
        if (ids.Count == 0)
        {
            return 0;
        }

        if (changes.Count > 0)
        {
            others.Add((NewId.NextGuid(), new SensorStateChangeBatch(changes)));
        }
        await BoundedPublishing.InParallelAsync(others, (message, ct) =>
            bus.Publish(message.Message, message.Message.GetType(), context => context.MessageId = message.MessageId, ct), cancellationToken);

        await using (var delete = new NpgsqlCommand("DELETE FROM outbox_messages WHERE id = ANY(@ids)", connection))
        {
            delete.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. ids]));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        changes.ForEach(item => metrics.Transitioned(item.Change.To));
        return ids.Count;
    }

    /// <summary>The contract types the outbox carries, by the name stored in <c>message_type</c>.</summary>
    internal static object Deserialize(string type, string payload) => type switch
    {
        nameof(SensorStateChanged) => JsonSerializer.Deserialize<SensorStateChanged>(payload, OutboxEvents.Json)!,
        nameof(SensorAtRisk) => JsonSerializer.Deserialize<SensorAtRisk>(payload, OutboxEvents.Json)!,
        _ => throw new InvalidOperationException($"The outbox holds an event of unknown type '{type}'."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying outbox events failed; they stay queued and are tried again")]
    partial void LogRelayFailed(Exception exception);
}
