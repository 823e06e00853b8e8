using Npgsql;

namespace Monitor.Worker.Prediction;

/// <summary>Features and risk for every live sensor at a moment.</summary>
public static class FleetScorer
{
    public static async Task<IReadOnlyList<SensorFeatures>> FeaturesAsync(
        NpgsqlConnection connection, DateTimeOffset at, PredictionOptions options, MonitorOptions monitor, CancellationToken cancellationToken)
    {
        var windows = await FeatureQuery.RunAsync(connection, at, options, monitor.DefaultExpectedInterval, monitor.DefaultStaleAfter, cancellationToken);
        return windows.Where(FeatureMath.IsLive).Select(w => FeatureMath.From(w, options)).ToList();
    }

    public static IReadOnlyList<RiskAssessment> Assess(IReadOnlyList<SensorFeatures> features, RiskModel model, DateTimeOffset at) =>
        features.Select(f => RiskAssessor.Assess(f, model, at)).ToList();
}
