namespace Sensors360.Monitoring.Analytics;

/// <summary>
/// One step of a Kaplan–Meier curve: <see cref="Survival"/> holds from <see cref="Days"/> until the next point.
/// <see cref="AtRisk"/> counts the lives lasting at least <see cref="Days"/>; of them, <see cref="Events"/> ended
/// and <see cref="Censored"/> were still alive at exactly that duration. <see cref="Lower"/> and <see cref="Upper"/>
/// bound <see cref="Survival"/> with 95 % confidence (Greenwood's variance on the log-log scale, which keeps the band
/// within 0–1); with no ending yet the band is the point itself.
/// </summary>
public readonly record struct SurvivalPoint(double Days, double Survival, int AtRisk, int Events, int Censored)
{
    public double Lower { get; init; } = Survival;

    public double Upper { get; init; } = Survival;
}

/// <summary>
/// A Kaplan–Meier estimate. <see cref="Curve"/> starts at (0 days, survival 1) and has a point for every distinct
/// duration observed. <see cref="RestrictedMeanDays"/> is the area under the curve up to <see cref="HorizonDays"/>,
/// the longest duration observed.
/// </summary>
public sealed record SurvivalEstimate(
    IReadOnlyList<SurvivalPoint> Curve,
    double? MedianDays,
    double RestrictedMeanDays,
    double HorizonDays,
    int Lives,
    int Ended);
