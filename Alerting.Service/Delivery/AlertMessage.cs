using System.Globalization;
using Sensors360.Contracts;

namespace Alerting.Service.Delivery;

/// <summary>
/// What a channel's waiting alerts say as one message: a subject that counts them, and one line per sensor (its latest
/// event, with how many changes it went through meanwhile), so a site losing power is one message naming every sensor.
/// </summary>
public sealed record AlertMessage(string Subject, string Heading, IReadOnlyList<string> Lines, int Alerts)
{
    const string Product = "Sensors 360";

    public static AlertMessage Compose(string channelName, IReadOnlyList<PendingAlert> alerts)
    {
        var tests = alerts.Where(a => a.Event == AlertEvents.Test).ToList();
        var latest = alerts.Where(a => a.Event != AlertEvents.Test)
            .GroupBy(a => (a.SensorId, AtRisk: a.Event == AlertEvents.AtRisk))
            .Select(g => (Last: g.OrderBy(a => a.At).ThenBy(a => a.Id).Last(), Count: g.Count()))
            .OrderBy(s => Rank(s.Last.Event)).ThenBy(s => s.Last.Tag, StringComparer.Ordinal)
            .ToList();

        var lines = new List<string>(latest.Count + tests.Count);
        lines.AddRange(tests.Select(t => $"Test message for channel \"{channelName}\"{(t.Detail is { } d ? $", {d}" : "")} at {Time(t.At)}."));
        lines.AddRange(latest.Select(s => Line(s.Last, s.Count)));

        // "500 sensors down", "2 sensors down, 1 late, 1 at risk": the first count names what is counted.
        var counts = latest.GroupBy(s => s.Last.Event).OrderBy(g => Rank(g.Key))
            .Select((g, i) => i > 0 ? $"{g.Count()} {Describe(g.Key)}" : $"{g.Count()} sensor{(g.Count() == 1 ? "" : "s")} {Describe(g.Key)}").ToList();
        var summary = latest.Count == 1
            ? $"sensor {latest[0].Last.Tag} {(latest[0].Last.Event == AlertEvents.AtRisk ? "is at risk of failing" : $"is {latest[0].Last.Event}")}"
            : string.Join(", ", counts);
        var subject = latest.Count == 0 ? $"{Product}: test message for \"{channelName}\"" : $"{Product}: {summary}";
        var heading = latest.Count == 0
            ? $"{Product} — a test of the alert channel \"{channelName}\"."
            : $"{Product} — {latest.Count} sensor{(latest.Count == 1 ? "" : "s")} need{(latest.Count == 1 ? "s" : "")} attention ({alerts.Count} event{(alerts.Count == 1 ? "" : "s")}):";
        return new AlertMessage(subject, heading, lines, alerts.Count);
    }

    /// <summary>The plain text of the whole message, for email and chat.</summary>
    public string Text => Heading + "\n\n" + string.Join('\n', Lines);

    static string Line(PendingAlert alert, int count)
    {
        var sensor = $"{alert.Tag} (#{alert.SensorId})";
        var what = alert.Event == AlertEvents.AtRisk
            ? $"at risk{(alert.Detail is { } detail ? $": {detail}" : "")}"
            : $"{alert.FromState} → {alert.Event}";
        var more = count > 1 ? $" ({count} changes)" : "";
        return $"{sensor}: {what} at {Time(alert.At)}{more}";
    }

    static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    static string Describe(string @event) => @event == AlertEvents.AtRisk ? "at risk" : @event;

    // The worst news first.
    static int Rank(string @event) => @event switch
    {
        SensorStates.Down => 0,
        SensorStates.Late => 1,
        AlertEvents.AtRisk => 2,
        SensorStates.Retired => 3,
        SensorStates.New => 4,
        _ => 5,
    };
}
