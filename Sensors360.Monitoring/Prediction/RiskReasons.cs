using System.Globalization;

namespace Sensors360.Monitoring.Prediction;

/// <summary>The inputs that raised a sensor's risk most, said the way an operator reads them.</summary>
public static class RiskReasons
{
    /// <summary>A contribution smaller than this (in log-odds) is not worth a line.</summary>
    public const double Notable = 0.25;

    const int MaxReasons = 3;

    public static IReadOnlyList<string> Describe(SensorFeatures f, IReadOnlyList<Contribution> contributions, Weibull ageCurve) =>
        contributions
            .Where(c => c.LogOdds >= Notable)
            .OrderByDescending(c => c.LogOdds)
            .Select(c => Text(c.Feature, f, ageCurve))
            .OfType<string>()
            .Take(MaxReasons)
            .ToArray();

    static string? Text(string feature, SensorFeatures f, Weibull ageCurve) => feature switch
    {
        "interval" when f.IntervalRatio > 1 => Invariant($"interval up {Percent(f.IntervalRatio - 1)} in {Span(f.RecentWindowSeconds)}"),
        "interval" => Invariant($"interval down {Percent(1 - f.IntervalRatio)} in {Span(f.RecentWindowSeconds)}"),
        "trend" when f.TrendLog2 > 0 => Invariant($"interval growing {Percent(Math.Pow(2, f.TrendLog2) - 1)} over {Span(f.TrendWindowSeconds)}"),
        "missed" => Invariant($"missed {Percent(f.MissedRatio)} of heartbeats in {Span(f.TrendWindowSeconds)}"),
        "variability" => Invariant($"gaps {f.VariabilityRatio:0.0}× as irregular as usual"),
        "flaps" => Invariant($"{f.Flaps} {(f.Flaps == 1 ? "silence" : "silences")} then recovery in {Span(f.BaselineWindowSeconds)}"),
        "age" => Invariant($"{f.AgeDays:0} days old: {Percent(ageCurve.FailureProbability(f.AgeDays, RiskModel.HorizonDays))} of sensors this age fail within 7 days"),
        _ => null,
    };

    static string Percent(double fraction) => fraction switch
    {
        >= 10 => Invariant($"{fraction:0}×"),
        >= 0.1 => Invariant($"{fraction * 100:0}%"),
        _ => Invariant($"{fraction * 100:0.#}%"),
    };

    /// <summary>"45 s", "30 min", "6 h", "3 days": one unit, rounded.</summary>
    public static string Span(double seconds) => seconds switch
    {
        < 90 => Invariant($"{seconds:0} s"),
        < 5_400 => Invariant($"{seconds / 60:0} min"),
        < 172_800 => Invariant($"{seconds / 3600:0.#} h"),
        _ => Invariant($"{seconds / 86_400:0.#} days"),
    };

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
