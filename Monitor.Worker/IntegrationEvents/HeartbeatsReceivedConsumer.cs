using MassTransit;
using Microsoft.Extensions.Options;
using Monitor.Worker.Infrastructure;
using Sensors360.Contracts;

namespace Monitor.Worker.IntegrationEvents;

/// <summary>
/// Stores one micro-batch per message. MassTransit acknowledges the message only after this returns, i.e. after
/// the transaction committed; a redelivered message stores nothing twice (primary key on sensor + sensor time).
/// </summary>
public sealed class HeartbeatsReceivedConsumer(HeartbeatWriter writer, ILogger<HeartbeatsReceivedConsumer> logger)
    : IConsumer<HeartbeatsReceived>
{
    public async Task Consume(ConsumeContext<HeartbeatsReceived> context)
    {
        var result = await writer.WriteAsync([.. context.Message.Items], context.CancellationToken);
        if (result.Stored < context.Message.Items.Count)
        {
            logger.LogDebug("Batch {BatchId}: {Stored} of {Count} heartbeats stored, the rest were duplicates",
                context.Message.BatchId, result.Stored, context.Message.Items.Count);
        }

        await context.PublishTransitionsAsync(result.Transitions, context.CancellationToken);
    }
}

public sealed class HeartbeatsReceivedConsumerDefinition : ConsumerDefinition<HeartbeatsReceivedConsumer>
{
    /// <summary>At the 5 s cap, about 25 minutes of a database outage.</summary>
    public const int DatabaseOutageRetries = 300;

    readonly int _concurrency;

    public HeartbeatsReceivedConsumerDefinition(IOptions<MonitorOptions> options)
    {
        _concurrency = options.Value.ConsumerConcurrency;
        EndpointName = QueueNames.Heartbeats;
        ConcurrentMessageLimit = _concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<HeartbeatsReceivedConsumer> consumer, IRegistrationContext context)
    {
        endpoint.PrefetchCount = _concurrency * 2;
        // Outer: the database is unavailable (stopped, restarting, unreachable). The message stays unacknowledged in
        // RabbitMQ and is tried again every few seconds for about 25 minutes, under RabbitMQ's 30-minute consumer
        // timeout; nothing is parked in heartbeats_error for an outage, and a worker that dies meanwhile leaves the
        // message to be redelivered. A kill switch would not help here: it counts faults, and these never fault.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(TransientDatabaseFaults.IsTransient);
            retry.Exponential(DatabaseOutageRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
        });
        // Inner: anything else (e.g. a timestamp outside every partition) is retried 5 times within ~5 s, then the
        // message lands in heartbeats_error and the rest keep flowing.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(e => !TransientDatabaseFaults.IsTransient(e));
            retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        });
    }
}
