using MassTransit;
using Sensors360.Contracts;

namespace Monitor.Worker.Storage;

/// <summary>
/// Tells <see cref="IngestProgress"/> which heartbeats messages this worker holds: from their delivery until they are
/// acknowledged they are in neither the queue's count nor, before the consumer starts on them, in any batch.
/// </summary>
public sealed class HeartbeatDeliveries(IngestProgress progress) : IReceiveObserver
{
    public Task PreReceive(ReceiveContext context)
    {
        if (IsHeartbeats(context))
        {
            progress.Delivered();
        }
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        if (IsHeartbeats(context))
        {
            progress.Settled();
        }
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception) => PostReceive(context);

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;

    static bool IsHeartbeats(ReceiveContext context) =>
        context.InputAddress.AbsolutePath.EndsWith("/" + QueueNames.Heartbeats, StringComparison.Ordinal);
}
