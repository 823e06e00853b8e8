namespace Sensors360.Monitoring.Model;

/// <summary>
/// An event written in the same transaction as the change that caused it (a state flip, an at-risk crossing), relayed
/// to RabbitMQ afterwards and deleted once the broker confirmed it. Consumers recognise a re-sent event by its
/// <see cref="MessageId"/>.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    /// <summary>The contract's type name, e.g. <c>SensorStateChanged</c>.</summary>
    public required string MessageType { get; set; }

    /// <summary>The message as camelCase JSON.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
