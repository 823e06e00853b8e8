using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;
using Alerting.Service.Storage;

namespace Alerting.Service.Webhooks;

/// <summary>
/// Delivers each state change to every webhook that wants its target state. A batch reads the webhooks once and
/// delivers up to <see cref="WebhookOptions.ConcurrentMessages"/> of its changes at a time, each under its own event id.
/// </summary>
public sealed class SensorStateChangedWebhookConsumer(AlertingDbContext db, WebhookSender sender, IOptions<WebhookOptions> options)
    : IConsumer<SensorStateChangeBatch>, IConsumer<SensorStateChanged>
{
    public async Task Consume(ConsumeContext<SensorStateChangeBatch> context)
    {
        var webhooks = await AllWebhooksAsync(context.CancellationToken);
        if (webhooks.Count == 0)
        {
            return;
        }
        // Who wants a change depends only on its target state: worked out once per state, not once per change.
        var wanting = context.Message.Items.Select(i => i.Change.To).Distinct().ToDictionary(to => to, to => Wanting(webhooks, to));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.ConcurrentMessages, CancellationToken = context.CancellationToken };
        await Parallel.ForEachAsync(context.Message.Items, parallel,
            async (item, ct) => await DeliverAsync(wanting[item.Change.To], item.EventId, item.Change, ct));
    }

    /// <summary>A single change, as workers relayed them before batches (still in queues during an upgrade).</summary>
    public async Task Consume(ConsumeContext<SensorStateChanged> context) =>
        await DeliverAsync(Wanting(await AllWebhooksAsync(context.CancellationToken), context.Message.To), context.MessageId,
            context.Message, context.CancellationToken);

    Task<List<Webhook>> AllWebhooksAsync(CancellationToken cancellationToken) =>
        db.Webhooks.AsNoTracking().OrderBy(w => w.Id).ToListAsync(cancellationToken);

    /// <summary>The webhooks that want a change to <paramref name="to"/>: those listing it, and those listing no event.</summary>
    static WebhookTarget[] Wanting(List<Webhook> webhooks, string to) =>
        [.. webhooks.Where(w => AlertEvents.Wants(w.Events, to)).Select(w => new WebhookTarget(w.Id, w.Url, w.Secret))];

    Task DeliverAsync(WebhookTarget[] targets, Guid? eventId, SensorStateChanged change, CancellationToken cancellationToken) =>
        sender.DeliverToAllAsync(targets, eventId, (target, deliveryId) => sender.DeliverAsync(target, deliveryId, change, cancellationToken));
}

public sealed class SensorStateChangedWebhookConsumerDefinition(IOptions<WebhookOptions> options)
    : WebhookConsumerDefinition<SensorStateChangedWebhookConsumer>(QueueName, options)
{
    public const string QueueName = "webhooks";
}
