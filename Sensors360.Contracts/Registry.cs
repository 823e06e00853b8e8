namespace Sensors360.Contracts;

// Registry events keep Ingestion.Api's credential cache fresh without a database round trip per request.
// They carry key hashes (SHA-256, hex), never keys.

public sealed record SensorRegistered(long SensorId, string Tag, IReadOnlyDictionary<string, string> Labels, string KeyHash, DateTimeOffset At);

public sealed record SensorRetired(long SensorId, DateTimeOffset At);

/// <summary>An operator changed the sensor's tag or labels (labels decide which collector keys may report for it).</summary>
public sealed record SensorEdited(long SensorId, string Tag, IReadOnlyDictionary<string, string> Labels, DateTimeOffset At);

public sealed record SensorKeyRotated(long SensorId, string KeyHash, DateTimeOffset At);

/// <summary>A collector key authorises any sensor (empty selector) or those whose labels contain every selector pair.</summary>
public sealed record CollectorKeyCreated(long CollectorKeyId, string Name, IReadOnlyDictionary<string, string> Selector, string KeyHash, DateTimeOffset At);

public sealed record CollectorKeyRevoked(long CollectorKeyId, DateTimeOffset At);
