namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// The model used until a fleet has failures enough of its own: the fit printed by the reference backtest
/// (<c>eng/backtest.sh</c>, seed 42; docs/predictive-maintenance.md).
/// </summary>
public static class PriorModel
{
    public static readonly RiskModel Instance = new(
        Kind: RiskModel.Prior,
        FittedAt: DateTimeOffset.UnixEpoch,
        // Counts describe this fleet's own training set: none (the reference fit had 48,572 examples, 854 failures).
        Examples: 0,
        Failures: 0,
        Means: [0.037, 0.003, 0.023, -0.255, 0.211, -4.647],
        Scales: [0.180, 0.163, 0.071, 0.515, 0.484, 1.480],
        Weights: [-5.258, 0.520, -0.070, 0.453, 0.041, 0.157, 1.210],
        AgeCurve: new Weibull(2.50, 404),
        AgeCurveKind: RiskModel.Prior);
}
