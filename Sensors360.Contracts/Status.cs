namespace Sensors360.Contracts;

/// <summary>A sensor moved between states (new, up, late, down, retired). States are lower-case strings.</summary>
public sealed record SensorStateChanged(long SensorId, string Tag, string From, string To, DateTimeOffset At, DateTimeOffset? LastHeartbeatAt);

/// <summary>
/// State changes relayed together, in the order they were committed: one message for up to a thousand flips, so a
/// fleet coming online costs the broker and every consumer a few messages, not one per sensor. Each change keeps its
/// own id: a batch the outbox relays again (after a crash) may be cut differently, so repeats are dropped per change.
/// </summary>
public sealed record SensorStateChangeBatch(IReadOnlyList<SensorStateChangeItem> Items);

public sealed record SensorStateChangeItem(Guid EventId, SensorStateChanged Change);
