using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monitor.Worker.Infrastructure;
using Sensors360.Contracts;

namespace Monitor.Worker.Webhooks;

/// <summary>Delivers each state change to every webhook that wants its target state.</summary>
public sealed class SensorStateChangedWebhookConsumer(MonitorDbContext db, WebhookSender sender) : IConsumer<SensorStateChanged>
{
    public async Task Consume(ConsumeContext<SensorStateChanged> context)
    {
        var change = context.Message;
        var targets = await db.Webhooks.AsNoTracking()
            .Where(w => w.Events.Length == 0 || w.Events.Contains(change.To))
            .OrderBy(w => w.Id)
            .Select(w => new WebhookTarget(w.Id, w.Url, w.Secret))
            .ToListAsync(context.CancellationToken);

        var messageId = context.MessageId ?? NewId.NextGuid();
        // Each target on its own task: a slow or failing receiver holds up only its own deliveries.
        await Task.WhenAll(targets.Select(target =>
            sender.DeliverAsync(target, WebhookSender.DeliveryId(messageId, target.Id), change, context.CancellationToken)));
    }
}

public sealed class SensorStateChangedWebhookConsumerDefinition(IOptions<WebhookOptions> options)
    : WebhookConsumerDefinition<SensorStateChangedWebhookConsumer>(QueueName, options)
{
    public const string QueueName = "webhooks";
}
