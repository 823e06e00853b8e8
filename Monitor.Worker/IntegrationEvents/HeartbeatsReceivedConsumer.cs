using MassTransit;
using Microsoft.Extensions.Options;
using Monitor.Worker.Infrastructure;
using Monitor.Worker.Monitoring;
using Sensors360.Contracts;

namespace Monitor.Worker.IntegrationEvents;

/// <summary>
/// Stores the heartbeats of many messages at once: one statement, one transaction, one commit for up to
/// <see cref="MonitorOptions.BatchMessageLimit"/> messages. MassTransit acknowledges the messages only after this
/// returns, i.e. after the commit; a redelivered message stores nothing twice (primary key on sensor + sensor time).
/// </summary>
public sealed partial class HeartbeatsReceivedConsumer(
    HeartbeatWriter writer, IngestProgress progress, ILogger<HeartbeatsReceivedConsumer> logger)
    : IConsumer<Batch<HeartbeatsReceived>>
{
    public const string ErrorQueue = QueueNames.Heartbeats + "_error";

    public async Task Consume(ConsumeContext<Batch<HeartbeatsReceived>> context)
    {
        var messages = context.Message;
        var heartbeats = new List<Heartbeat>(messages.Sum(m => m.Message.Items.Count));
        foreach (var message in messages)
        {
            heartbeats.AddRange(message.Message.Items);
        }

        using var inFlight = progress.Begin(heartbeats);
        try
        {
            await writer.WriteAsync(heartbeats, context.CancellationToken);
        }
        catch (Exception ex) when (messages.Length > 1 && !TransientDatabaseFaults.IsTransient(ex))
        {
            // One message can never be stored (e.g. a timestamp outside every partition): store the others one by one
            // and park that one in the error queue, rather than parking the whole batch with it.
            LogSplitting(ex, messages.Length);
            foreach (var message in messages)
            {
                try
                {
                    await writer.WriteAsync([.. message.Message.Items], context.CancellationToken);
                }
                catch (Exception single) when (!TransientDatabaseFaults.IsTransient(single))
                {
                    LogParked(single, message.Message.BatchId);
                    var errors = await context.GetSendEndpoint(new Uri($"queue:{ErrorQueue}"));
                    await errors.Send(message.Message, parked =>
                    {
                        parked.Durable = true;
                        parked.Headers.Set("MT-Fault-Message", single.Message);
                        parked.Headers.Set("MT-Fault-ExceptionType", single.GetType().FullName);
                    }, context.CancellationToken);
                }
            }
        }
        progress.Stored(heartbeats);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} messages could not be stored; storing them one by one")]
    partial void LogSplitting(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {BatchId} can never be stored; parked in heartbeats_error")]
    partial void LogParked(Exception exception, Guid batchId);
}

public sealed class HeartbeatsReceivedConsumerDefinition : ConsumerDefinition<HeartbeatsReceivedConsumer>
{
    /// <summary>At the 5 s cap, about 25 minutes of a database outage.</summary>
    public const int DatabaseOutageRetries = 300;

    readonly MonitorOptions _options;

    public HeartbeatsReceivedConsumerDefinition(IOptions<MonitorOptions> options)
    {
        _options = options.Value;
        EndpointName = QueueNames.Heartbeats;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<HeartbeatsReceivedConsumer> consumer, IRegistrationContext context)
    {
        // A batch closes at the message limit or once its first message has waited the time limit: under load
        // batches fill, when quiet a heartbeat waits at most the time limit.
        consumer.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.BatchMessageLimit)
            .SetTimeLimit(_options.BatchTimeLimit)
            .SetConcurrencyLimit(_options.ConsumerConcurrency));
        endpoint.PrefetchCount = _options.BatchMessageLimit * (_options.ConsumerConcurrency + 1);
        endpoint.ConcurrentMessageLimit = _options.BatchMessageLimit * (_options.ConsumerConcurrency + 1);
        // Outer: the database is unavailable (stopped, restarting, unreachable). The messages stay unacknowledged in
        // RabbitMQ and the batch is tried again every few seconds for about 25 minutes, under RabbitMQ's 30-minute
        // consumer timeout; nothing is parked in heartbeats_error for an outage, and a worker that dies meanwhile
        // leaves the messages to be redelivered. A kill switch would not help here: it counts faults, and these never fault.
        consumer.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(TransientDatabaseFaults.IsTransient);
            retry.Exponential(DatabaseOutageRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
        });
        // Inner: a message alone that cannot be stored (e.g. a timestamp outside every partition) is retried 5 times
        // within ~5 s, then lands in heartbeats_error and the rest keep flowing. (In a batch of several, the consumer
        // stores the others and parks that one itself.)
        consumer.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(e => !TransientDatabaseFaults.IsTransient(e));
            retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        });
    }
}
