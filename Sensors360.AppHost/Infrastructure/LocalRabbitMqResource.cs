namespace Sensors360.AppHost.Infrastructure;

/// <summary>A private RabbitMQ node (own epmd, ports and data) run by <c>eng/infra/rabbitmq.sh</c>.</summary>
public sealed class LocalRabbitMqResource(string name, string script, string workingDirectory, ParameterResource userName, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, script, workingDirectory), IResourceWithConnectionString
{
    public const string AmqpEndpointName = "tcp";
    public const string ManagementEndpointName = "management";

    public ParameterResource UserName { get; } = userName;

    public ParameterResource Password { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    public EndpointReference AmqpEndpoint => new(this, AmqpEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{Password}@{AmqpEndpoint.Property(EndpointProperty.IPV4Host)}:{AmqpEndpoint.Property(EndpointProperty.Port)}");
}
