using Sensors360.Contracts;

namespace Alerting.Service;

/// <summary>What webhooks and alert rules can ask for: a sensor entering a state, or a prediction that it is at risk.</summary>
public static class AlertEvents
{
    /// <summary>The event of a <c>SensorAtRisk</c> prediction; every other event is a target state.</summary>
    public const string AtRisk = "at-risk";

    /// <summary>The event of a test message an Admin asked for.</summary>
    public const string Test = "test";

    public static readonly string[] Known = [.. SensorStates.All, AtRisk];

    /// <summary>Whether a subscriber listing <paramref name="events"/> wants <paramref name="event"/>: none listed is every state change, not predictions.</summary>
    public static bool Wants(string[] events, string @event) => events.Length == 0 ? @event != AtRisk : events.Contains(@event);

    /// <summary>Normalises <paramref name="events"/> into <see cref="Known"/>'s order; unknown ones are reported in <paramref name="errors"/>.</summary>
    public static string[] Validate(Dictionary<string, string[]> errors, string[]? events)
    {
        var normalized = (events ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").ToArray();
        var unknown = normalized.Where(e => !Known.Contains(e)).Distinct().ToArray();
        if (unknown.Length > 0)
        {
            errors["events"] = [$"Unknown event(s): {string.Join(", ", unknown.Select(e => $"'{e}'"))}. " +
                $"Use any of {string.Join(", ", Known)}, or none for every state change."];
        }
        return [.. Known.Where(normalized.Contains)];
    }
}
