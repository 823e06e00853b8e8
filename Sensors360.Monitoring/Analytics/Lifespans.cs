using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Analytics;

/// <summary>How long sensors last, from the first heartbeat to retirement or death.</summary>
public static class Lifespans
{
    /// <summary>Silence after which a sensor that was not retired is counted as dead.</summary>
    public static readonly TimeSpan DefaultDeadAfter = TimeSpan.FromDays(7);

    /// <summary>
    /// A sensor's life, or null when it never sent a heartbeat (retired or not). It ends at its last heartbeat when it
    /// had been silent longer than <paramref name="deadAfter"/> (as of its retirement if retired, else as of
    /// <paramref name="now"/>), else at retirement; otherwise it is still alive and censored at <paramref name="now"/>.
    /// A sensor retired alive for a reason other than failure (<paramref name="retirementReason"/>) did not end: its
    /// life is censored at retirement.
    /// </summary>
    public static Life? Of(
        DateTimeOffset? firstHeartbeat,
        DateTimeOffset? lastHeartbeat,
        DateTimeOffset? lastReceived,
        DateTimeOffset? retiredAt,
        DateTimeOffset now,
        TimeSpan deadAfter,
        RetirementReason? retirementReason = null)
    {
        if (firstHeartbeat is not { } first)
        {
            return null;
        }

        // Judging death as of retirement keeps a life from growing when a long-dead sensor is retired later.
        var judgedAt = retiredAt ?? now;
        if (lastReceived is { } received && judgedAt - received > deadAfter)
        {
            return Ended(first, lastHeartbeat ?? first);
        }

        return retiredAt is not { } retired ? new Life(NonNegative(now - first), Ended: false)
            : retirementReason.CountsAsFailure() ? Ended(first, retired)
            : new Life(NonNegative(retired - first), Ended: false);
    }

    /// <summary>Mean duration of the lives that ended, in days; null when none has.</summary>
    public static double? MeanDays(IEnumerable<Life> lives)
    {
        Int128 ticks = 0;
        long ended = 0;
        foreach (var life in lives)
        {
            if (life.Ended)
            {
                ticks += life.Duration.Ticks;
                ended++;
            }
        }

        return ended == 0 ? null : (double)ticks / TimeSpan.TicksPerDay / ended;
    }

    private static Life Ended(DateTimeOffset first, DateTimeOffset end) => new(NonNegative(end - first), Ended: true);

    // The first heartbeat is on the sensor's clock and retirement on the server's; a clock running ahead must not
    // produce a negative life.
    private static TimeSpan NonNegative(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
