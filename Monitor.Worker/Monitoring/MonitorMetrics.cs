using System.Diagnostics.Metrics;
using Monitor.Worker.Storage;
using Sensors360.Messaging;

namespace Monitor.Worker.Monitoring;

/// <summary>
/// What the worker does, as metrics of the product's meter: each replica reports its own, so a dashboard sums them
/// (the lag and backlog gauges are each replica's view). Listed in docs/architecture.md#product-metrics.
/// </summary>
public sealed class MonitorMetrics
{
    public const string HeartbeatsStored = "sensors360.monitor.heartbeats_stored";
    public const string CommitSize = "sensors360.monitor.commit_size";
    public const string Lag = "sensors360.monitor.ingest_lag";
    public const string Backlog = "sensors360.monitor.backlog";
    public const string Transitions = "sensors360.monitor.transitions";
    public const string ScanDuration = "sensors360.monitor.scan_duration";

    readonly Counter<long> _stored;
    readonly Histogram<int> _commitSize;
    readonly Counter<long> _transitions;
    readonly Histogram<double> _scanDuration;

    public MonitorMetrics(IMeterFactory meters, IngestLag lag, HeartbeatBacklog backlog)
    {
        var meter = meters.Create(Extensions.ProductMeter);
        _stored = meter.CreateCounter<long>(HeartbeatsStored, "{heartbeat}", "Heartbeats committed to the database");
        _commitSize = meter.CreateHistogram<int>(CommitSize, "{heartbeat}", "Heartbeats stored per transaction");
        _transitions = meter.CreateCounter<long>(Transitions, "{transition}", "Sensor state changes published, by the state entered");
        _scanDuration = meter.CreateHistogram<double>(ScanDuration, "s", "How long one staleness scan took");
        // Observed only when known: no reading is better than a made-up zero.
        meter.CreateObservableGauge<double>(Lag, () => lag.Seconds() is { } seconds ? [new(seconds)] : [],
            "s", "How far this worker's stored heartbeats are behind the time now");
        meter.CreateObservableGauge<long>(Backlog, () => backlog.Current.ReadyMessages is { } ready ? [new(ready)] : [],
            "{message}", "Messages waiting in the heartbeats queue, as this worker last read it");
    }

    public void Stored(int heartbeats)
    {
        _stored.Add(heartbeats);
        _commitSize.Record(heartbeats);
    }

    public void Transitioned(string state) => _transitions.Add(1, new KeyValuePair<string, object?>("state", state));

    public void Scanned(TimeSpan took) => _scanDuration.Record(took.TotalSeconds);
}
