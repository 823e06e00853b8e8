namespace Sensors360.Contracts;

/// <summary>A sensor moved between states (new, up, late, down, retired). States are lower-case strings.</summary>
public sealed record SensorStateChanged(long SensorId, string Tag, string From, string To, DateTimeOffset At, DateTimeOffset? LastHeartbeatAt);
