using System.Text.Json;
using MassTransit;
using Sensors360.Monitoring.Model;

namespace Monitor.Worker.Outbox;

/// <summary>Outbox rows for events that EF writes with the change that caused them (SQL statements write their own).</summary>
public static class OutboxEvents
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static OutboxMessage For<T>(T message) where T : class => new()
    {
        MessageId = NewId.NextGuid(),
        MessageType = typeof(T).Name,
        Payload = JsonSerializer.Serialize(message, Json),
    };
}
