using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sensors360.Messaging;

/// <summary>
/// One way for every service to join the RabbitMQ bus: MassTransit, the <c>messaging</c> connection string,
/// kebab-case endpoint names. MassTransit adds its own bus health check (tags "ready", "masstransit"),
/// so <c>/health</c> reports whether the broker is reachable.
/// </summary>
public static class MessagingExtensions
{
    public const string ConnectionName = "messaging";

    /// <summary>Distinguishes this process's per-instance queues from its replicas' (e.g. "status-events-3f2a…").</summary>
    public static readonly string InstanceId = Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// A queue of this process's own that is deleted when it disconnects: every replica hears every message
    /// (fan-out), instead of replicas competing for them.
    /// </summary>
    public static void PerInstance(this IEndpointRegistrationConfigurator endpoint)
    {
        endpoint.Temporary = true;
        endpoint.InstanceId = InstanceId;
    }

    public static TBuilder AddSensorsMessaging<TBuilder>(
        this TBuilder builder,
        Action<IBusRegistrationConfigurator>? configureBus = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureRabbit = null)
        where TBuilder : IHostApplicationBuilder
    {
        var broker = BrokerAddress.FromConfiguration(builder.Configuration);
        builder.Services.AddValidatedOptions<MessagingOptions>(MessagingOptions.Section);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (context.GetRequiredService<IOptions<MessagingOptions>>().Value.QuorumQueues)
                {
                    UseQuorumQueueIfDurable(endpoint);
                }
            });
            configureBus?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker);
                configureRabbit?.Invoke(context, rabbit);
                rabbit.ConfigureEndpoints(context);
            });
        });

        return builder;
    }

    static void UseQuorumQueueIfDurable(IReceiveEndpointConfigurator endpoint)
    {
        // Temporary endpoints (PerInstance, the gateway's heartbeat tap) are auto-delete, which a quorum queue cannot
        // be, so they stay classic; MassTransit has marked them so before this callback runs. An endpoint's _error
        // and _skipped queues copy its queue arguments, so they come out quorum queues too.
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit
            && endpoint is IRabbitMqReceiveEndpointConfiguration { Settings: { Durable: true, AutoDelete: false } })
        {
            rabbit.SetQuorumQueue();
        }
    }

    /// <summary>
    /// RabbitMQ returns the message when no queue is bound to where it is sent, and the send fails, instead of
    /// confirming and dropping it. See <see cref="MessagingOptions.SendAddress"/>.
    /// </summary>
    public static void SetMandatory(this SendContext context)
    {
        if (context is RabbitMqSendContext rabbit)
        {
            rabbit.Mandatory = true;
        }
    }

    /// <summary>
    /// Runs <see cref="HeartbeatBacklog"/> in this service: a singleton whose <see cref="HeartbeatBacklog.Current"/>
    /// says how many messages wait in the heartbeats queue, read every <c>HeartbeatBacklog:ProbePeriod</c> (1 s)
    /// over a connection of its own to the <c>messaging</c> broker. Only services that call this run the probe.
    /// </summary>
    public static TBuilder AddHeartbeatBacklogProbe<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var broker = BrokerAddress.FromConfiguration(builder.Configuration);
        // The parsed address, for anything else of the service that opens its own broker connection.
        builder.Services.TryAddSingleton(broker);
        builder.Services.AddValidatedOptions<HeartbeatBacklogOptions>(HeartbeatBacklogOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new HeartbeatBacklog(broker,
            services.GetRequiredService<IOptions<HeartbeatBacklogOptions>>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<HeartbeatBacklog>>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<HeartbeatBacklog>());
        return builder;
    }

    /// <summary>
    /// Connects the bus to <paramref name="broker"/>. With several nodes each connection attempt goes to the next
    /// one in turn (MassTransit's cluster support): a dead node costs one failed attempt, retried within seconds on
    /// the next, and a lost connection is reopened on whichever node answers.
    /// </summary>
    public static void Host(this IRabbitMqBusFactoryConfigurator rabbit, BrokerAddress broker)
    {
        var first = broker.Nodes[0];
        // The first node also names the bus's addresses (rabbitmq://host:port/…); they stay the same whichever node
        // the bus is connected to.
        rabbit.Host(first.Host, (ushort)first.Port, broker.VirtualHost, host =>
        {
            // MassTransit's default, stated because durability depends on it: a send completes only once the broker
            // has confirmed the (persistent) message.
            host.PublisherConfirmation = true;
            host.Username(broker.UserName);
            host.Password(broker.Password);
            if (broker.Nodes.Count > 1)
            {
                host.UseCluster(cluster =>
                {
                    foreach (var node in broker.Nodes)
                    {
                        cluster.Node(node.ToString());
                    }
                });
            }
        });
    }
}
