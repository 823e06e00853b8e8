namespace Sensors360.Contracts;

// Monitor.Worker's internal credentials API (GET /internal/credentials/...), read by Ingestion.Api at start
// and periodically; registry events keep it fresh in between.

public sealed record SensorCredential(long SensorId, string KeyHash, DateTimeOffset? RetiredAt, IReadOnlyDictionary<string, string> Labels);

/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record SensorCredentialsPage(IReadOnlyList<SensorCredential> Items, long? Next);

public sealed record CollectorCredential(long CollectorKeyId, string Name, string KeyHash, IReadOnlyDictionary<string, string> Selector);

/// <summary>Whose key a hash is: a sensor's (current key, possibly retired) or an active collector key's; one of the two.</summary>
public sealed record KeyCredential(SensorCredential? Sensor, CollectorCredential? Collector);
