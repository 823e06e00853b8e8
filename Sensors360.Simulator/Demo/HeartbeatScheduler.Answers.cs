using System.Globalization;
using Sensors360.Simulator.Api;

namespace Sensors360.Simulator.Demo;

/// <summary>What each answer of the ingestion API means for the sensor that got it, and for the others.</summary>
public sealed partial class HeartbeatScheduler
{
    private static readonly TimeSpan MinUnavailableWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxUnavailableBackoff = TimeSpan.FromMinutes(1);

    /// <returns>When the sensor should send next, or null when it is done.</returns>
    private DateTimeOffset? NextAfter(SensorRuntime sensor, HeartbeatOutcome outcome, DateTimeOffset now)
    {
        if (outcome.Result != HeartbeatResult.Unavailable)
        {
            sensor.ConsecutiveUnavailable = 0;
        }

        switch (outcome.Result)
        {
            case HeartbeatResult.Accepted:
                _keysProven = true;
                return sensor.Behavior.NextBeat(now);

            case HeartbeatResult.RateLimited:
                Log(outcome);
                return sensor.Behavior.NextBeat(now, notBefore: now + (outcome.RetryAfter ?? TimeSpan.Zero));

            case HeartbeatResult.Unavailable:
                // Retry this beat after the wait, and hold every other sensor too: the whole API is down, not one sensor.
                var wait = outcome.RetryAfter ?? Backoff(++sensor.ConsecutiveUnavailable);
                wait = wait < MinUnavailableWait ? MinUnavailableWait : wait;
                PauseUntil(now + wait);
                Log(outcome);
                return sensor.Behavior.Admit(now + wait);

            case HeartbeatResult.Forbidden:
                if (sensor.Stop())
                {
                    _logger.LogWarning("Sensor {Tag} (id {Id}) stopped: the ingestion API refused its key ({Detail}).",
                        sensor.Sensor.Tag, sensor.Id, outcome.Detail);
                }

                return null;

            case HeartbeatResult.UnknownKey when IsKeyLost(sensor, now):
                RejectFleet(sensor, outcome);
                return null;

            default:
                Log(outcome);
                return sensor.Behavior.NextBeat(now);
        }
    }

    private bool IsKeyLost(SensorRuntime sensor, DateTimeOffset now)
    {
        if (now - (sensor.Sensor.RegisteredAt ?? DateTimeOffset.MinValue) < _options.UnknownKeyGrace)
        {
            return false;
        }

        if (!_keysProven && _throttledLog.ShouldLog("unproven-401"))
        {
            // Replacing a fleet whose keys never worked would only register fleet after fleet.
            _logger.LogError("The ingestion API does not know keys the registry issued more than {Grace} ago (e.g. {Tag}'s); is it receiving registry events?",
                _options.UnknownKeyGrace, sensor.Sensor.Tag);
        }

        return _keysProven;
    }

    private void RejectFleet(SensorRuntime sensor, HeartbeatOutcome outcome)
    {
        if (Interlocked.Exchange(ref _rejecting, 1) == 0)
        {
            _logger.LogWarning(
                "The ingestion API no longer knows the key of {Tag} (id {Id}), so the database was probably reset: registering a new fleet. It answered: {Detail}",
                sensor.Sensor.Tag, sensor.Id, outcome.Detail);
            _fleetRejected.Cancel();
        }
    }

    private void Log(HeartbeatOutcome outcome)
    {
        if (_throttledLog.ShouldLog(outcome.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer"))
        {
            _logger.LogWarning("Heartbeat not accepted ({Result}): {Detail}", outcome.Result, outcome.Detail);
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(attempt, 10)), MaxUnavailableBackoff.TotalSeconds));
}
