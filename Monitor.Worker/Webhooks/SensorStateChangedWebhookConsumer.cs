using MassTransit;
using Microsoft.Extensions.Options;
using Monitor.Worker.Infrastructure;
using Sensors360.Contracts;

namespace Monitor.Worker.Webhooks;

/// <summary>Delivers each state change to every webhook that wants its target state.</summary>
public sealed class SensorStateChangedWebhookConsumer(MonitorDbContext db, WebhookSender sender) : IConsumer<SensorStateChanged>
{
    public Task Consume(ConsumeContext<SensorStateChanged> context) =>
        sender.DeliverToAllAsync(
            db.Webhooks.Where(w => w.Events.Length == 0 || w.Events.Contains(context.Message.To)), context.MessageId,
            (target, deliveryId) => sender.DeliverAsync(target, deliveryId, context.Message, context.CancellationToken),
            context.CancellationToken);
}

public sealed class SensorStateChangedWebhookConsumerDefinition(IOptions<WebhookOptions> options)
    : WebhookConsumerDefinition<SensorStateChangedWebhookConsumer>(QueueName, options)
{
    public const string QueueName = "webhooks";
}
