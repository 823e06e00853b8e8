using System.Globalization;
using Sensors360.Simulator.Api;

namespace Sensors360.Simulator.Demo;

public readonly record struct StatsSnapshot(
    long Sent, long Accepted, long Unauthorized, long Forbidden, long RateLimited, long Unavailable, long Other, string? LastError);

/// <summary>Heartbeat counters since the simulator started, across fleets. Thread-safe.</summary>
public sealed class SimulatorStats
{
    private long _sent;
    private long _accepted;
    private long _unauthorized;
    private long _forbidden;
    private long _rateLimited;
    private long _unavailable;
    private long _other;
    private volatile string? _lastError;

    public void Record(HeartbeatOutcome outcome)
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref CounterFor(outcome.Result));
        if (outcome.Result != HeartbeatResult.Accepted)
        {
            _lastError = outcome.Detail ?? outcome.StatusCode?.ToString(CultureInfo.InvariantCulture);
        }
    }

    private ref long CounterFor(HeartbeatResult result)
    {
        switch (result)
        {
            case HeartbeatResult.Accepted: return ref _accepted;
            case HeartbeatResult.UnknownKey: return ref _unauthorized;
            case HeartbeatResult.Forbidden: return ref _forbidden;
            case HeartbeatResult.RateLimited: return ref _rateLimited;
            case HeartbeatResult.Unavailable: return ref _unavailable;
            default: return ref _other;
        }
    }

    public StatsSnapshot Snapshot() => new(
        Interlocked.Read(ref _sent), Interlocked.Read(ref _accepted), Interlocked.Read(ref _unauthorized), Interlocked.Read(ref _forbidden),
        Interlocked.Read(ref _rateLimited), Interlocked.Read(ref _unavailable), Interlocked.Read(ref _other), _lastError);
}
