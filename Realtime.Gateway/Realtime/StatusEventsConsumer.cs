using MassTransit;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Realtime.Gateway.Realtime;

/// <summary>
/// Relays the monitor's status events to this instance's WebSocket clients. Runs on a temporary (auto-delete) queue
/// per gateway instance, one message at a time so clients see transitions in the order they were published. A batch
/// of state changes reaches clients as one <c>stateChanged</c> frame per change, in order. An event the monitor's
/// outbox published twice (same message id, or same id within a batch) reaches clients once.
/// </summary>
public sealed class StatusEventsConsumer(RealtimeHub hub, RecentMessageIds recent) :
    IConsumer<SensorStatusSnapshot>, IConsumer<SensorStateChangeBatch>, IConsumer<SensorStateChanged>,
    IConsumer<StaleSensorsDetected>, IConsumer<SensorAtRisk>
{
    public Task Consume(ConsumeContext<SensorStatusSnapshot> context)
    {
        hub.PublishSnapshot(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<SensorStateChangeBatch> context)
    {
        foreach (var item in context.Message.Items)
        {
            if (recent.FirstTime(item.EventId))
            {
                hub.Broadcast(ServerFrames.StateChanged, item.Change);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A single change, as workers relayed them before batches (still in queues during an upgrade).</summary>
    public Task Consume(ConsumeContext<SensorStateChanged> context)
    {
        if (recent.FirstTime(context.MessageId))
        {
            hub.Broadcast(ServerFrames.StateChanged, context.Message);
        }
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<StaleSensorsDetected> context)
    {
        hub.Broadcast(ServerFrames.Stale, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<SensorAtRisk> context)
    {
        if (recent.FirstTime(context.MessageId))
        {
            hub.Broadcast(ServerFrames.SensorAtRisk, context.Message);
        }
        return Task.CompletedTask;
    }
}
