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
        // Transient faults (deadlock, connection reset, PostgreSQL restarting) are retried; a message that still
        // fails lands in the heartbeats_error queue and the rest keep flowing.
        endpoint.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
    }
}
