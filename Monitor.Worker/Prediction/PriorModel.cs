namespace Monitor.Worker.Prediction;

/// <summary>
/// The model used until a fleet has failures enough of its own: the fit printed by the reference backtest
/// (<c>eng/backtest.sh</c>, seed 42; docs/predictive-maintenance.md).
/// </summary>
public static class PriorModel
{
    public static readonly RiskModel Instance = new(
        Kind: "prior",
        FittedAt: DateTimeOffset.UnixEpoch,
        Examples: 0,
        Failures: 0,
        Means: [0, 0, 0, 0, 0, -5],
        Scales: [1, 1, 1, 1, 1, 1],
        Weights: [-5, 2.5, 1.5, 2, 0.2, 0.3, 0.5],
        AgeCurve: new Weibull(2.5, 400),
        AgeCurveKind: "prior");
}
