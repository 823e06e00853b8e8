using System.Text.Json.Serialization;

namespace Sensors360.Simulator.Fleet;

/// <summary>What a simulated sensor is scripted to do. Written in lower case to the fleet file and the ground truth.</summary>
public enum SensorFate
{
    Healthy,
    Die,
    Degrade,
    Flap,
}

/// <summary>
/// A fleet of simulated sensors as kept in the fleet file. Every scheduled event is an absolute time computed from
/// <see cref="CreatedAt"/>, so a restarted simulator carries on with the same script.
/// </summary>
public sealed record SimulatedFleet(string FleetId, int Seed, DateTimeOffset CreatedAt, IReadOnlyList<SimulatedSensor> Sensors)
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
}

/// <param name="Number">1-based position in the fleet; seeds the sensor's own random streams.</param>
/// <param name="DegradeStart">When a <see cref="SensorFate.Degrade"/> sensor's interval starts to grow.</param>
/// <param name="DeathAt">When a dying or degrading sensor sends its last heartbeat (none at or after it).</param>
/// <param name="Id">Registry id; null until registered.</param>
/// <param name="Key">The sensor's API key, as returned once by the registry; null until registered.</param>
public sealed record SimulatedSensor(
    int Number,
    string Tag,
    IReadOnlyDictionary<string, string> Labels,
    int IntervalSeconds,
    SensorFate Fate,
    DateTimeOffset? DegradeStart,
    DateTimeOffset? DeathAt,
    long? Id = null,
    string? Key = null,
    DateTimeOffset? RegisteredAt = null)
{
    [JsonIgnore]
    public bool IsRegistered => Id is not null && Key is not null;
}
