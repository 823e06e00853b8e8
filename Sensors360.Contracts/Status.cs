namespace Sensors360.Contracts;

/// <summary>
/// A sensor moved between states (<see cref="SensorStates"/>). <paramref name="Labels"/> are the sensor's labels when it
/// changed, so that alert rules can route by them; null in events published before they were carried.
/// </summary>
public sealed record SensorStateChanged(
    long SensorId, string Tag, string From, string To, DateTimeOffset At, DateTimeOffset? LastHeartbeatAt,
    IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>The states a sensor can be in, as events and the API spell them.</summary>
public static class SensorStates
{
    public const string New = "new";
    public const string Up = "up";
    public const string Late = "late";
    public const string Down = "down";
    public const string Retired = "retired";

    public static readonly IReadOnlyList<string> All = [New, Up, Late, Down, Retired];
}

/// <summary>
/// State changes relayed together, in the order they were committed: one message for up to a thousand flips, so a
/// fleet coming online costs the broker and every consumer a few messages, not one per sensor. Each change keeps its
/// own id: a batch the outbox relays again (after a crash) may be cut differently, so repeats are dropped per change.
/// </summary>
public sealed record SensorStateChangeBatch(IReadOnlyList<SensorStateChangeItem> Items);

public sealed record SensorStateChangeItem(Guid EventId, SensorStateChanged Change);
