using System.Globalization;
using System.Text;
using Sensors360.Simulator.Behaviour;

namespace Sensors360.Simulator.Demo;

/// <summary>
/// The one-line status, e.g. <c>simulator: fleet 3f9a01, 200 sensors (171 alive, 12 degrading, 6 flapping-silent,
/// 11 dead) · sent 12,345 · 202: 12,300 · 401: 0 · 403: 0 · 429: 0 · 503: 45 · other: 0 · last error: …</c>
/// </summary>
public static class StatusLine
{
    public static string Format(ActiveFleet? fleet, string activity, StatsSnapshot stats, DateTimeOffset now)
    {
        var line = new StringBuilder("simulator: ");
        if (fleet is null)
        {
            line.Append(activity);
        }
        else
        {
            var phases = new int[Enum.GetValues<SensorPhase>().Length];
            foreach (var sensor in fleet.Sensors)
            {
                phases[(int)sensor.PhaseAt(now)]++;
            }

            line.Append(CultureInfo.InvariantCulture,
                $"fleet {fleet.Fleet.FleetId}, {fleet.Sensors.Count:N0} sensors ({phases[(int)SensorPhase.Alive]:N0} alive, "
                + $"{phases[(int)SensorPhase.Degrading]:N0} degrading, {phases[(int)SensorPhase.FlappingSilent]:N0} flapping-silent, "
                + $"{phases[(int)SensorPhase.Dead]:N0} dead");
            if (phases[(int)SensorPhase.Stopped] > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $", {phases[(int)SensorPhase.Stopped]:N0} stopped");
            }

            line.Append(')');
        }

        line.Append(CultureInfo.InvariantCulture,
            $" · sent {stats.Sent:N0} · 202: {stats.Accepted:N0} · 401: {stats.Unauthorized:N0} · 403: {stats.Forbidden:N0}"
            + $" · 429: {stats.RateLimited:N0} · 503: {stats.Unavailable:N0} · other: {stats.Other:N0}");
        if (stats.LastError is { } error)
        {
            // One line, whatever the server put in its detail.
            line.Append(" · last error: ").Append(error.ReplaceLineEndings(" "));
        }

        return line.ToString();
    }
}
