using Sensors360.Contracts;

namespace Sensors360.Monitoring.Model;

public enum SensorState
{
    New,
    Up,
    Late,
    Down,
    Retired,
}

public static class SensorStateNames
{
    /// <summary>The lower-case name used in the database, the API and events: new, up, late, down, retired.</summary>
    public static string Name(this SensorState state) => state switch
    {
        SensorState.New => SensorStates.New,
        SensorState.Up => SensorStates.Up,
        SensorState.Late => SensorStates.Late,
        SensorState.Down => SensorStates.Down,
        SensorState.Retired => SensorStates.Retired,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

/// <summary>Why a sensor was retired. Only <see cref="Failed"/> (or no reason, as before reasons were asked) ends its life as
/// a failure in the survival analysis and the failure prediction; the others end it censored.</summary>
public enum RetirementReason
{
    Failed,
    ReplacedPreventively,
    Decommissioned,
}

public static class RetirementReasonNames
{
    /// <summary>The names used in the database and the API: failed, replaced-preventively, decommissioned.</summary>
    public static readonly IReadOnlyDictionary<RetirementReason, string> Names = new Dictionary<RetirementReason, string>
    {
        [RetirementReason.Failed] = "failed",
        [RetirementReason.ReplacedPreventively] = "replaced-preventively",
        [RetirementReason.Decommissioned] = "decommissioned",
    };

    public static string Name(this RetirementReason reason) => Names[reason];

    public static RetirementReason? Parse(string? name) =>
        Names.FirstOrDefault(n => n.Value == name) is { Value: not null } match ? match.Key : null;

    /// <summary>Whether a retirement ends the sensor's life as a failure: yes unless a reason says otherwise.</summary>
    public static bool CountsAsFailure(this RetirementReason? reason) => reason is null or RetirementReason.Failed;
}

/// <summary>A registered sensor and what is known of its heartbeats (maintained incrementally by the consumer).</summary>
public sealed class Sensor
{
    public long Id { get; set; }

    public required string Tag { get; set; }

    /// <summary>Free-form key/value labels, stored as jsonb.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>Why it was retired; null when no reason was given.</summary>
    public RetirementReason? RetirementReason { get; set; }

    /// <summary>The sensor that replaced this one, when it was replaced rather than just retired.</summary>
    public long? ReplacedBy { get; set; }

    /// <summary>SHA-256 of the sensor's key (hex). The key itself is shown once and never stored.</summary>
    public required string KeyHash { get; set; }

    /// <summary>Per-sensor overrides; null means the global default.</summary>
    public TimeSpan? ExpectedInterval { get; set; }

    public TimeSpan? Grace { get; set; }

    public TimeSpan? StaleAfter { get; set; }

    /// <summary>Earliest and latest sensor timestamps stored (the sensor's clock).</summary>
    public DateTimeOffset? FirstHeartbeatAt { get; set; }

    public DateTimeOffset? LastHeartbeatAt { get; set; }

    /// <summary>When the latest heartbeat reached the server: liveness is judged on the server's clock.</summary>
    public DateTimeOffset? LastReceivedAt { get; set; }

    public long HeartbeatCount { get; set; }

    /// <summary>When the sensor becomes late (last receipt + expected interval + grace), kept by the heartbeat consumer.</summary>
    public DateTimeOffset? LateAt { get; set; }

    /// <summary>When the sensor becomes down (last receipt + stale threshold), kept by the heartbeat consumer.</summary>
    public DateTimeOffset? DownAt { get; set; }

    public SensorState State { get; set; } = SensorState.New;

    public DateTimeOffset StateSince { get; set; }
}
