namespace Sensors360.Monitoring.Model;

/// <summary>
/// A key for an edge collector that forwards many sensors' heartbeats. It authorises every sensor when
/// <see cref="Selector"/> is empty, else the sensors whose labels contain every selector pair.
/// </summary>
public sealed class CollectorKey
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public Dictionary<string, string> Selector { get; set; } = [];

    public required string KeyHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
