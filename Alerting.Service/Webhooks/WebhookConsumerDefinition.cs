using MassTransit;
using Microsoft.Extensions.Options;

namespace Alerting.Service.Webhooks;

/// <summary>A webhook consumer on its own durable queue, with the delivery concurrency from the options.</summary>
public abstract class WebhookConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    protected WebhookConsumerDefinition(string queueName, IOptions<WebhookOptions> options)
    {
        EndpointName = queueName;
        ConcurrentMessageLimit = options.Value.ConcurrentMessages;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context) =>
        // Only reading the targets can throw (receivers' failures are recorded, not thrown).
        endpoint.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
}
