using Aspire.Hosting.ApplicationModel;
using Sensors360.Contracts;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// MQTT ingest on the broker already in the system: RabbitMQ's MQTT plugin listens on every node (the first on
/// <c>Ports:Mqtt</c> when set, as eng/run.sh does with 1883) and signs devices in through its HTTP auth backend, which
/// asks Ingestion.Api; the services' own broker users stay in RabbitMQ's internal user list, which is asked first.
/// With a certificate configured (<c>Tls:*</c>) every node also listens for MQTT over TLS (the first on
/// <c>Ports:MqttTls</c>, as eng/run.sh does with 8883). Ingestion.Api is given every node's management API, where it
/// closes the connections of a device whose key stopped being valid.
/// </summary>
public static class MqttExtensions
{
    public const string EndpointName = "mqtt";
    public const string TlsEndpointName = "mqtts";
    const int MqttPort = 1883;
    const int MqttTlsPort = 8883;
    /// <summary>Where a container node finds its certificate (the official image runs RabbitMQ as uid/gid 999).</summary>
    const string ContainerTlsDirectory = "/etc/rabbitmq/tls";
    const int ContainerRabbitMqUser = 999;

    /// <summary>The plugins a node runs: management (the services' probes, the definitions import) and MQTT with its sign-in.</summary>
    public const string Plugins = "rabbitmq_management,rabbitmq_mqtt,rabbitmq_auth_backend_http,rabbitmq_auth_backend_cache";

    public static void AddMqttIngest(this SensorsInfrastructure infrastructure, IResourceBuilder<ProjectResource> ingestion,
        IResourceBuilder<ParameterResource> brokerKey)
    {
        ingestion.WithEnvironment("Mqtt__BrokerKey", brokerKey);
        var builder = ingestion.ApplicationBuilder;
        var configured = ConfiguredPort(builder.Configuration, "Ports:Mqtt");
        var certificate = MqttTlsCertificate.From(builder.Configuration);
        var configuredTls = certificate is null ? null : ConfiguredPort(builder.Configuration, "Ports:MqttTls");
        // Local nodes get the private key in their environment: as a secret, which the dashboard never shows.
        var tlsKey = certificate is not null && infrastructure.BrokerNodes.Any(n => n.Resource is LocalRabbitMqResource)
            ? builder.AddParameter("mqtt-tls-key", () => certificate.KeyPem, secret: true)
            : null;
        // Where the broker asks: Ingestion.Api's one address (shared by its replicas), the broker's key in the path.
        var signIn = ReferenceExpression.Create($"{ingestion.GetEndpoint("http")}{ServiceCallers.BrokerAuthPath}/{brokerKey}");
        for (var i = 0; i < infrastructure.BrokerNodes.Count; i++)
        {
            var port = i == 0 ? configured : null;
            var tlsPort = i == 0 ? configuredTls : null;
            switch (infrastructure.BrokerNodes[i].Resource)
            {
                case LocalRabbitMqResource local:
                    var node = builder.CreateResourceBuilder(local)
                        .WithEndpoint(name: EndpointName, scheme: "tcp", port: port, isProxied: false);
                    ReferenceExpression? tlsListener = null;
                    if (certificate is not null && tlsKey is not null)
                    {
                        node.WithEndpoint(name: TlsEndpointName, scheme: "tcp", port: tlsPort, isProxied: false);
                        tlsListener = ReferenceExpression.Create($"{node.GetEndpoint(TlsEndpointName).Property(EndpointProperty.Port)}");
                        // eng/infra/rabbitmq.sh writes them into the node's data directory and points ssl_options there.
                        node.WithEnvironment("RABBITMQ_TLS_CERT", certificate.ChainPem)
                            .WithEnvironment("RABBITMQ_TLS_KEY", tlsKey);
                    }
                    ingestion.WithEnvironment($"Mqtt__ManagementUrls__{i}", node.GetEndpoint(LocalRabbitMqResource.ManagementEndpointName));
                    // eng/infra/rabbitmq.sh enables the plugins and appends the settings to the node's rabbitmq.conf.
                    node.WithEnvironment("RABBITMQ_PLUGINS", Plugins)
                        .WithEnvironment("RABBITMQ_EXTRA_CONF", Settings(
                            ReferenceExpression.Create($"{node.GetEndpoint(EndpointName).Property(EndpointProperty.Port)}"), tlsListener, signIn));
                    break;
                case RabbitMQServerResource container:
                    var containerNode = builder.CreateResourceBuilder(container)
                        .WithEndpoint(name: EndpointName, scheme: "tcp", port: port, targetPort: MqttPort);
                    ingestion.WithEnvironment($"Mqtt__ManagementUrls__{i}", containerNode.GetEndpoint("management"));
                    var settings = Settings(Literal(MqttPort), certificate is null ? null : Literal(MqttTlsPort), signIn);
                    if (certificate is not null)
                    {
                        containerNode.WithEndpoint(name: TlsEndpointName, scheme: "tcp", port: tlsPort, targetPort: MqttTlsPort)
                            .WithContainerFiles(ContainerTlsDirectory,
                            [
                                new ContainerFile { Name = "cert.pem", Contents = certificate.ChainPem },
                                new ContainerFile { Name = "key.pem", Contents = certificate.KeyPem, Mode = UnixFileMode.UserRead },
                            ], defaultOwner: ContainerRabbitMqUser, defaultGroup: ContainerRabbitMqUser);
                        settings = ReferenceExpression.Create($"""
                            {settings}
                            ssl_options.certfile = {ContainerTlsDirectory}/cert.pem
                            ssl_options.keyfile = {ContainerTlsDirectory}/key.pem
                            """);
                    }
                    containerNode
                        .WithEnvironment("RABBITMQ_MQTT_CONF", settings)
                        .WithContainerFiles("/etc/rabbitmq", [new ContainerFile { Name = "enabled_plugins", Contents = $"[{Plugins}].\n" }])
                        // The sign-in address is known only at start: the conf.d file is written then, from the environment.
                        .WithEntrypoint("bash")
                        .WithArgs("-c", "printf '%s\\n' \"$RABBITMQ_MQTT_CONF\" > /etc/rabbitmq/conf.d/30-mqtt.conf && exec docker-entrypoint.sh rabbitmq-server");
                    break;
            }
        }
    }

    /// <summary>The first broker node's MQTT listener (<c>tcp://host:port</c>), where the demo simulator publishes under <c>Simulator:Protocol=mqtt</c>.</summary>
    public static EndpointReference MqttEndpoint(this SensorsInfrastructure infrastructure) =>
        ((IResourceWithEndpoints)infrastructure.BrokerNodes[0].Resource).GetEndpoint(EndpointName);

    /// <summary>
    /// The rabbitmq.conf lines of MQTT ingest: the listener on <paramref name="port"/>, no anonymous devices, publishes
    /// to <c>amq.topic</c>, and sign-in first against RabbitMQ's own users (the services'), then by asking
    /// <paramref name="signIn"/> (Ingestion.Api), whose answers are cached 5 s so a revoked key is refused within seconds.
    /// </summary>
    static ReferenceExpression Settings(ReferenceExpression port, ReferenceExpression? tlsPort, ReferenceExpression signIn)
    {
        var settings = new ReferenceExpressionBuilder();
        settings.Append($"mqtt.listeners.tcp.default = {port}\n");
        if (tlsPort is not null)
        {
            settings.Append($"mqtt.listeners.ssl.default = {tlsPort}\n");
        }
        settings.AppendLiteral("""
            mqtt.allow_anonymous = false
            mqtt.vhost = /
            mqtt.exchange = amq.topic
            auth_backends.1 = internal
            auth_backends.2 = cache
            auth_cache.cached_backend = http
            auth_cache.cache_ttl = 5000
            auth_http.http_method = post

            """);
        foreach (var path in (string[])["user", "vhost", "resource", "topic"])
        {
            settings.Append($"auth_http.{path}_path = {signIn}/{path}\n");
        }
        return settings.Build();
    }

    static ReferenceExpression Literal(int value) =>
        ReferenceExpression.Create($"{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    static int? ConfiguredPort(Microsoft.Extensions.Configuration.IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return int.TryParse(value, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new InvalidOperationException($"{key} must be a TCP port (1-65535), not '{value}'.");
    }
}
