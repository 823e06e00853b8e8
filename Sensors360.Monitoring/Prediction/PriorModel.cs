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
        Means: [0.026, 0.003, 0.023, -0.264, 0.212, -4.647],
        Scales: [0.180, 0.201, 0.071, 0.521, 0.485, 1.481],
        Weights: [-5.272, 0.543, -0.121, 0.482, 0.072, 0.124, 1.205],
        AgeCurve: new Weibull(2.50, 404),
        AgeCurveKind: RiskModel.Prior);
}
