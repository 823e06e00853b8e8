namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// How a score's features and contributions are kept in <c>sensor_risks</c>: as numbers in a fixed order rather than
/// JSON, since every pass rewrites every scored sensor's row (a tenth of the bytes, and nothing to parse).
/// </summary>
public static class StoredScore
{
    /// <summary>Numbers per sensor in <see cref="Features(SensorFeatures)"/>.</summary>
    public const int FeatureCount = 12;

    /// <summary>A sensor's features in the order of <see cref="SensorFeatures"/>, without its id (a flag as 1 or 0).</summary>
    public static double[] Features(SensorFeatures f) =>
    [
        f.AgeDays, f.ExpectedSeconds, f.BaselineSeconds, f.MeasuredBaseline ? 1 : 0, f.RecentWindowSeconds, f.TrendWindowSeconds,
        f.BaselineWindowSeconds, f.IntervalRatio, f.TrendLog2, f.MissedRatio, f.VariabilityRatio, f.Flaps,
    ];

    public static SensorFeatures Features(long sensorId, double[] v) =>
        new(sensorId, v[0], v[1], v[2], v[3] != 0, v[4], v[5], v[6], v[7], v[8], v[9], v[10], (int)v[11]);

    /// <summary>Contributions from their values and log-odds, both in <see cref="ModelInputs.Names"/> order.</summary>
    public static IReadOnlyList<Contribution> Contributions(double[] values, double[] logOdds) =>
        [.. values.Select((value, j) => new Contribution(ModelInputs.Names[j], value, logOdds[j]))];
}
