using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monitor.Worker.Infrastructure;
using Sensors360.Contracts;

namespace Monitor.Worker.Webhooks;

/// <summary>
/// Delivers each state change to every webhook that wants its target state. A batch reads the webhooks once and
/// delivers up to <see cref="WebhookOptions.ConcurrentMessages"/> of its changes at a time, each under its own event id.
/// </summary>
public sealed class SensorStateChangedWebhookConsumer(MonitorDbContext db, WebhookSender sender, IOptions<WebhookOptions> options)
    : IConsumer<SensorStateChangeBatch>, IConsumer<SensorStateChanged>
{
    public async Task Consume(ConsumeContext<SensorStateChangeBatch> context)
    {
        var webhooks = await StateChangeWebhooksAsync(context.CancellationToken);
        if (webhooks.Count == 0)
        {
            return;
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.ConcurrentMessages, CancellationToken = context.CancellationToken };
        await Parallel.ForEachAsync(context.Message.Items, parallel,
            async (item, ct) => await DeliverAsync(webhooks, item.EventId, item.Change, ct));
    }

    /// <summary>A single change, as workers relayed them before batches (still in queues during an upgrade).</summary>
    public async Task Consume(ConsumeContext<SensorStateChanged> context) =>
        await DeliverAsync(await StateChangeWebhooksAsync(context.CancellationToken), context.MessageId, context.Message, context.CancellationToken);

    Task<List<Webhook>> StateChangeWebhooksAsync(CancellationToken cancellationToken) =>
        db.Webhooks.AsNoTracking().OrderBy(w => w.Id).ToListAsync(cancellationToken);

    Task DeliverAsync(List<Webhook> webhooks, Guid? eventId, SensorStateChanged change, CancellationToken cancellationToken) =>
        sender.DeliverToAllAsync(
            [.. webhooks.Where(w => w.Events.Length == 0 || w.Events.Contains(change.To)).Select(w => new WebhookTarget(w.Id, w.Url, w.Secret))],
            eventId, (target, deliveryId) => sender.DeliverAsync(target, deliveryId, change, cancellationToken));
}

public sealed class SensorStateChangedWebhookConsumerDefinition(IOptions<WebhookOptions> options)
    : WebhookConsumerDefinition<SensorStateChangedWebhookConsumer>(QueueName, options)
{
    public const string QueueName = "webhooks";
}
