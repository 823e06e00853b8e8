using MassTransit;
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
        var brokerUri = BrokerUri(builder.Configuration);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configureBus?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(brokerUri, host =>
                {
                    // MassTransit's default, stated because durability depends on it: a send completes only
                    // once the broker has confirmed the (persistent) message.
                    host.PublisherConfirmation = true;
                    // The URI carries user:password; MassTransit does not read them from UserInfo on its own.
                    var credentials = brokerUri.UserInfo.Split(':', 2);
                    if (credentials.Length == 2)
                    {
                        host.Username(Uri.UnescapeDataString(credentials[0]));
                        host.Password(Uri.UnescapeDataString(credentials[1]));
                    }
                });
                configureRabbit?.Invoke(context, rabbit);
                rabbit.ConfigureEndpoints(context);
            });
        });

        return builder;
    }

    /// <summary>
    /// Runs <see cref="HeartbeatBacklog"/> in this service: a singleton whose <see cref="HeartbeatBacklog.Current"/>
    /// says how many messages wait in the heartbeats queue, read every <c>HeartbeatBacklog:ProbePeriod</c> (1 s)
    /// over a connection of its own to the <c>messaging</c> broker. Only services that call this run the probe.
    /// </summary>
    public static TBuilder AddHeartbeatBacklogProbe<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var brokerUri = BrokerUri(builder.Configuration);
        builder.Services.AddValidatedOptions<HeartbeatBacklogOptions>(HeartbeatBacklogOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new HeartbeatBacklog(brokerUri,
            services.GetRequiredService<IOptions<HeartbeatBacklogOptions>>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<HeartbeatBacklog>>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<HeartbeatBacklog>());
        return builder;
    }

    static Uri BrokerUri(IConfiguration configuration) => new(configuration.GetConnectionString(ConnectionName)
        ?? throw new InvalidOperationException(
            $"Connection string '{ConnectionName}' is missing. Run the service through Sensors360.AppHost " +
            $"or set ConnectionStrings__{ConnectionName} to an amqp:// URI."));
}
