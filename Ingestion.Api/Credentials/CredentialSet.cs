using System.Collections.Concurrent;
using Sensors360.Contracts;

namespace Ingestion.Api.Credentials;

public sealed record SensorEntry(long SensorId, KeyDigest Digest, DateTimeOffset? RetiredAt, IReadOnlyDictionary<string, string> Labels);

public sealed record CollectorEntry(long CollectorKeyId, string Name, IReadOnlyDictionary<string, string> Selector)
{
    public bool Authorises(SensorEntry sensor) =>
        Selector.All(pair => sensor.Labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
}

/// <summary>
/// Every sensor and collector key the API knows, indexed by key digest and by sensor id. Reads are lock-free;
/// writes (registry events, at most a few per second) are serialised by <see cref="CredentialCache"/>.
/// </summary>
public sealed class CredentialSet
{
    readonly ConcurrentDictionary<long, SensorEntry> _sensors = new();
    readonly ConcurrentDictionary<KeyDigest, long> _sensorByDigest = new();
    readonly ConcurrentDictionary<KeyDigest, CollectorEntry> _collectors = new();
    readonly ConcurrentDictionary<long, KeyDigest> _collectorDigests = new();

    public int SensorCount => _sensors.Count;

    public int CollectorCount => _collectors.Count;

    public SensorEntry? FindSensor(long sensorId) => _sensors.GetValueOrDefault(sensorId);

    public SensorEntry? FindSensorByKey(KeyDigest digest) =>
        _sensorByDigest.TryGetValue(digest, out var id) ? _sensors.GetValueOrDefault(id) : null;

    public CollectorEntry? FindCollectorByKey(KeyDigest digest) => _collectors.GetValueOrDefault(digest);

    /// <summary>An active (not revoked) collector key by its id.</summary>
    public CollectorEntry? FindCollector(long collectorKeyId) =>
        _collectorDigests.TryGetValue(collectorKeyId, out var digest) ? _collectors.GetValueOrDefault(digest) : null;

    public void Apply(SensorCredential sensor) =>
        SetSensor(new SensorEntry(sensor.SensorId, KeyDigest.FromHex(sensor.KeyHash), sensor.RetiredAt, sensor.Labels));

    public void Apply(CollectorCredential collector) =>
        AddCollector(collector.CollectorKeyId, collector.Name, collector.Selector, collector.KeyHash);

    public void Apply(object registryEvent)
    {
        switch (registryEvent)
        {
            case SensorRegistered e:
                SetSensor(new SensorEntry(e.SensorId, KeyDigest.FromHex(e.KeyHash), null, e.Labels));
                break;
            case SensorKeyRotated e when _sensors.TryGetValue(e.SensorId, out var sensor):
                SetSensor(sensor with { Digest = KeyDigest.FromHex(e.KeyHash) });
                break;
            case SensorEdited e when _sensors.TryGetValue(e.SensorId, out var sensor):
                SetSensor(sensor with { Labels = e.Labels });
                break;
            case SensorRetired e when _sensors.TryGetValue(e.SensorId, out var sensor):
                SetSensor(sensor with { RetiredAt = sensor.RetiredAt ?? e.At });
                break;
            case CollectorKeyCreated e:
                AddCollector(e.CollectorKeyId, e.Name, e.Selector, e.KeyHash);
                break;
            case CollectorKeyRevoked e when _collectorDigests.TryRemove(e.CollectorKeyId, out var digest):
                _collectors.TryRemove(digest, out _);
                break;
            // A key looked up one by one only adds what the set lacks: an event or reload already applied is newer.
            case SensorCredential c when !_sensors.ContainsKey(c.SensorId):
                Apply(c);
                break;
            case CollectorCredential c when !_collectorDigests.ContainsKey(c.CollectorKeyId):
                Apply(c);
                break;
        }
    }

    void SetSensor(SensorEntry entry)
    {
        if (_sensors.TryGetValue(entry.SensorId, out var previous) && previous.Digest != entry.Digest)
        {
            _sensorByDigest.TryRemove(previous.Digest, out _);
        }
        _sensors[entry.SensorId] = entry;
        _sensorByDigest[entry.Digest] = entry.SensorId;
    }

    void AddCollector(long id, string name, IReadOnlyDictionary<string, string> selector, string keyHash)
    {
        var digest = KeyDigest.FromHex(keyHash);
        _collectors[digest] = new CollectorEntry(id, name, selector);
        _collectorDigests[id] = digest;
    }
}
