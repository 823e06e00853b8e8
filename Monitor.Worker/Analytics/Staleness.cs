namespace Monitor.Worker.Analytics;

/// <summary>What staleness needs to know of a sensor. <see cref="StaleAfter"/> null means the global default.</summary>
public readonly record struct StalenessInput(
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastReceivedAt,
    DateTimeOffset? RetiredAt,
    TimeSpan? StaleAfter);

/// <summary>Which sensors have gone quiet: silent (on the server's clock) for longer than their threshold.</summary>
public static class Staleness
{
    public static readonly TimeSpan DefaultThreshold = TimeSpan.FromMinutes(10);

    public static bool IsStale(StalenessInput sensor, DateTimeOffset now, TimeSpan defaultThreshold)
    {
        if (sensor.RetiredAt is not null)
        {
            return false;
        }

        var threshold = sensor.StaleAfter ?? defaultThreshold;
        // A sensor never heard from is judged from its registration, so a fresh one gets a full threshold first.
        var silentSince = sensor.LastReceivedAt ?? sensor.CreatedAt;
        return now - silentSince > threshold;
    }

    /// <summary>100 × stale / non-retired sensors; 0 when every sensor is retired or there are none.</summary>
    public static double Percent(IEnumerable<StalenessInput> sensors, DateTimeOffset now, TimeSpan defaultThreshold)
    {
        long active = 0;
        long stale = 0;
        foreach (var sensor in sensors)
        {
            if (sensor.RetiredAt is not null)
            {
                continue;
            }

            active++;
            if (IsStale(sensor, now, defaultThreshold))
            {
                stale++;
            }
        }

        return active == 0 ? 0 : 100.0 * stale / active;
    }
}
