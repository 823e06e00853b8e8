using MassTransit;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;
using Alerting.Service.Storage;

namespace Alerting.Service.Webhooks;

/// <summary>Delivers each at-risk prediction to every webhook subscribed to <c>at-risk</c>. A webhook with no events (every state change, as before predictions existed) does not get them.</summary>
public sealed class SensorAtRiskWebhookConsumer(AlertingDbContext db, WebhookSender sender) : IConsumer<SensorAtRisk>
{
    public Task Consume(ConsumeContext<SensorAtRisk> context) =>
        sender.DeliverToAllAsync(
            db.Webhooks.Where(w => w.Events.Contains(AlertEvents.AtRisk)), context.MessageId,
            (target, deliveryId) => sender.DeliverAsync(target, deliveryId, context.Message, context.CancellationToken),
            context.CancellationToken);
}

/// <summary>A queue of its own: a backlog of state changes does not delay at-risk warnings, nor the other way round.</summary>
public sealed class SensorAtRiskWebhookConsumerDefinition(IOptions<WebhookOptions> options)
    : WebhookConsumerDefinition<SensorAtRiskWebhookConsumer>(QueueName, options)
{
    public const string QueueName = "webhooks-at-risk";
}
