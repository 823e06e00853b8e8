using Npgsql;
using Sensors360.Monitoring.Liveness;

namespace Sensors360.Monitoring.Prediction;

/// <summary>Features and risk for live sensors at a moment.</summary>
public static class FleetScorer
{
    public static async Task<IReadOnlyList<SensorFeatures>> FeaturesAsync(
        NpgsqlConnection connection, DateTimeOffset at, PredictionOptions options, MonitorOptions monitor, CancellationToken cancellationToken,
        SensorSlice? sensors = null)
    {
        var windows = await FeatureQuery.RunAsync(
            connection, at, options, monitor.DefaultExpectedInterval, monitor.DefaultStaleAfter, sensors ?? SensorSlice.All, cancellationToken);
        return windows.Where(FeatureMath.IsLive).Select(w => FeatureMath.From(w, options)).ToList();
    }

    public static IReadOnlyList<RiskAssessment> Assess(IReadOnlyList<SensorFeatures> features, RiskModel model, DateTimeOffset at) =>
        features.Select(f => RiskAssessor.Assess(f, model, at)).ToList();

    /// <summary>
    /// Id ranges of about <paramref name="size"/> sensors that are not retired, so that a large fleet is scored a
    /// slice at a time (bounded memory, short statements) rather than in one pass over every heartbeat.
    /// </summary>
    public static async Task<List<SensorSlice>> SlicesAsync(NpgsqlConnection connection, int size, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT min(id), max(id) FROM (
                SELECT id, (row_number() OVER (ORDER BY id) - 1) / $1 AS slice FROM sensors WHERE retired_at IS NULL) AS numbered
            GROUP BY slice ORDER BY slice
            """, connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = size });
        var slices = new List<SensorSlice>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            slices.Add(new SensorSlice(reader.GetInt64(0), reader.GetInt64(1)));
        }
        return slices;
    }

    /// <summary>
    /// A uniform sample of at most about <paramref name="limit"/> sensors (every k-th id) for training: the model needs
    /// thousands of examples per snapshot, not a million.
    /// </summary>
    public static async Task<SensorSlice> TrainingSampleAsync(NpgsqlConnection connection, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM sensor_liveness WHERE first_heartbeat_at IS NOT NULL", connection) { CommandTimeout = 0 };
        var count = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return SensorSlice.All with { Step = Math.Max(1, (count + limit - 1) / limit) };
    }
}
