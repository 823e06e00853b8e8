using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using Monitor.Worker.IntegrationEvents;
using Sensors360.Contracts;

namespace Monitor.Worker.Outbox;

/// <summary>
/// Publishes the events in <c>outbox_messages</c> to RabbitMQ and deletes them once the broker confirmed them. An event
/// is written in the same transaction as the change that caused it, so a worker that dies after the commit loses
/// nothing: the next relay (this worker restarted, or any replica) publishes it. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas relay different events. An event published just before a crash, whose
/// row was not yet deleted, is published again with the same message id: consumers drop the repeat.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, IOptions<MonitorOptions> options, ILogger<OutboxRelay> logger)
    : BackgroundService
{
    const int BatchSize = 1_000;

    const string Claim = """
        SELECT id, message_id, message_type, payload::text FROM outbox_messages
        ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.OutboxPollPeriod;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RelayBatchAsync(stoppingToken) == BatchSize)
                {
                }
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

    /// <returns>How many events were published.</returns>
    async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ids = new List<long>();
        var events = new List<(Guid MessageId, object Message)>();
        await using (var claim = new NpgsqlCommand(Claim, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter<int>("limit", BatchSize));
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
                events.Add((reader.GetGuid(1), Deserialize(reader.GetString(2), reader.GetString(3))));
            }
        }
        if (ids.Count == 0)
        {
            return 0;
        }

        await BoundedPublishing.InParallelAsync(events, (message, ct) =>
            bus.Publish(message.Message, message.Message.GetType(), context => context.MessageId = message.MessageId, ct), cancellationToken);

        await using (var delete = new NpgsqlCommand("DELETE FROM outbox_messages WHERE id = ANY(@ids)", connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. ids]));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
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
