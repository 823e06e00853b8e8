using MassTransit;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Storage;

/// <summary>
/// Stores one message's heartbeats through the <see cref="HeartbeatCommitter"/>, which commits them together with
/// those of every other message waiting. MassTransit acknowledges the message only after this returns, i.e. after
/// the commit; a redelivered message stores nothing twice (primary key on sensor + sensor time).
/// </summary>
public sealed class HeartbeatsReceivedConsumer(HeartbeatCommitter committer, IngestProgress progress)
    : IConsumer<HeartbeatsReceived>
{
    public async Task Consume(ConsumeContext<HeartbeatsReceived> context)
    {
        var heartbeats = context.Message.Items;
        // From here until it is committed the message is neither in the broker's backlog nor stored.
        using var inFlight = progress.Begin(heartbeats);
        await committer.StoreAsync(heartbeats, context.CancellationToken);
        progress.Stored(heartbeats);
    }
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
        // Messages received at once: those waiting while a transaction commits form the next one.
        endpoint.PrefetchCount = _options.ConcurrentMessages;
        endpoint.ConcurrentMessageLimit = _options.ConcurrentMessages;
        // Outer: the database is unavailable (stopped, restarting, unreachable). The messages stay unacknowledged in
        // RabbitMQ and the batch is tried again every few seconds for about 25 minutes, under RabbitMQ's 30-minute
        // consumer timeout; nothing is parked in heartbeats_error for an outage, and a worker that dies meanwhile
        // leaves the messages to be redelivered. A kill switch would not help here: it counts faults, and these never fault.
        consumer.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(TransientDatabaseFaults.IsTransient);
            retry.Exponential(DatabaseOutageRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
        });
        // Inner: a message that cannot be stored (e.g. a timestamp outside every partition) is retried 5 times
        // within ~5 s, then lands in heartbeats_error and the rest keep flowing (the committer stores the others of
        // its transaction without it).
        consumer.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(e => !TransientDatabaseFaults.IsTransient(e));
            retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        });
    }
}
