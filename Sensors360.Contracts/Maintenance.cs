namespace Sensors360.Contracts;

/// <summary>
/// A sensor's predicted risk of failing crossed the at-risk threshold (published once per crossing by the worker that
/// scores the fleet). <paramref name="Risk7d"/> and <paramref name="Risk30d"/> are probabilities of failing within 7
/// and 30 days; the window is the middle half of the predicted time to failure; <paramref name="Labels"/> are the
/// sensor's (null in events published before they were carried). Model: docs/predictive-maintenance.md.
/// </summary>
public sealed record SensorAtRisk(
    long SensorId,
    string Tag,
    DateTimeOffset At,
    double Risk7d,
    double Risk30d,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyList<string> Reasons,
    IReadOnlyDictionary<string, string>? Labels = null);
