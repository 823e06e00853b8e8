using System.Buffers.Binary;
using System.Security.Cryptography;
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
            sender.DeliverAsync(target, DeliveryId(messageId, target.Id), change, context.CancellationToken)));
    }

    /// <summary>
    /// Derived, not random: a message redelivered after a crash or shutdown mid-delivery is sent again under the same
    /// delivery ids, so receivers can drop the duplicates.
    /// </summary>
    public static Guid DeliveryId(Guid messageId, long webhookId)
    {
        Span<byte> input = stackalloc byte[24];
        messageId.TryWriteBytes(input);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], webhookId);
        return new Guid(SHA256.HashData(input)[..16]);
    }
}

public sealed class SensorStateChangedWebhookConsumerDefinition : ConsumerDefinition<SensorStateChangedWebhookConsumer>
{
    public const string QueueName = "webhooks";

    public SensorStateChangedWebhookConsumerDefinition(IOptions<WebhookOptions> options)
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = options.Value.ConcurrentMessages;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<SensorStateChangedWebhookConsumer> consumer, IRegistrationContext context) =>
        // Only reading the targets can throw (receivers' failures are recorded, not thrown).
        endpoint.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
}
