namespace Sensors360.Contracts;

/// <summary>One heartbeat: the sensor's own timestamp and when the ingestion API received it.</summary>
public sealed record Heartbeat(long SensorId, DateTimeOffset SensorTime, DateTimeOffset ReceivedAt);

/// <summary>
/// Heartbeats accepted by Ingestion.Api, micro-batched from concurrent requests. Published with publisher confirms;
/// each request is answered 202 only after the broker confirmed the message that carries it.
/// </summary>
public sealed record HeartbeatsReceived(Guid BatchId, IReadOnlyList<Heartbeat> Items);
