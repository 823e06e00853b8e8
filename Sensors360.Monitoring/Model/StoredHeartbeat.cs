namespace Sensors360.Monitoring.Model;

/// <summary>A row of the range-partitioned <c>heartbeats</c> table (created by SQL in the migrations, not by EF).</summary>
public sealed class StoredHeartbeat
{
    public long SensorId { get; set; }

    public DateTimeOffset SensorTime { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
