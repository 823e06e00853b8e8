using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Analytics;

/// <summary>A sensor's state changed to <see cref="To"/> at <see cref="At"/> (server clock).</summary>
public readonly record struct StateFlip(DateTimeOffset At, SensorState To);

/// <summary>The share of a window a sensor spent alive, out of the part of the window in which it was watched.</summary>
public static class Uptime
{
    /// <summary>
    /// The longest window a sensor's uptime is given for (<c>GET /api/sensors/{id}</c>: 24 hours, 7 and 30 days). Its
    /// state changes are kept at least this long (<see cref="Liveness.MonitorOptions.StateChangeRetentionDays"/>).
    /// </summary>
    public const int LongestWindowDays = 30;

    /// <summary>
    /// Time in <see cref="SensorState.Up"/> or <see cref="SensorState.Late"/> divided by time in Up, Late or
    /// <see cref="SensorState.Down"/>, within [<paramref name="from"/>, <paramref name="to"/>). Time in
    /// <see cref="SensorState.New"/> (before the first heartbeat) and <see cref="SensorState.Retired"/> is not observed.
    /// Null when nothing of the window was observed.
    /// </summary>
    /// <param name="stateAtFrom">
    /// The state before the first of <paramref name="flips"/>: the state at <paramref name="from"/> when only the
    /// window's flips are given, or <see cref="SensorState.New"/> with the sensor's whole history.
    /// </param>
    /// <param name="flips">In any order; flips at or before <paramref name="from"/> set the starting state, flips
    /// at or after <paramref name="to"/> are ignored.</param>
    public static double? Fraction(
        DateTimeOffset from,
        DateTimeOffset to,
        SensorState stateAtFrom,
        IEnumerable<StateFlip> flips)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);

        var state = stateAtFrom;
        var since = from;
        var alive = TimeSpan.Zero;
        var observed = TimeSpan.Zero;

        void Spend(DateTimeOffset until)
        {
            if (state is SensorState.Up or SensorState.Late or SensorState.Down)
            {
                observed += until - since;
                if (state is not SensorState.Down)
                {
                    alive += until - since;
                }
            }
        }

        // OrderBy is stable: flips recorded at the same instant keep their order.
        foreach (var flip in flips.OrderBy(f => f.At))
        {
            if (flip.At >= to)
            {
                break;
            }

            if (flip.At > since)
            {
                Spend(flip.At);
                since = flip.At;
            }

            state = flip.To;
        }

        Spend(to);
        return observed > TimeSpan.Zero ? alive / observed : null;
    }
}
