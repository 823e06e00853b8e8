using System.Text.Json;
using Monitor.Worker.Outbox;
using Npgsql;
using NpgsqlTypes;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Prediction;

namespace Monitor.Worker.Prediction;

/// <summary>Keeps <c>sensor_risks</c> and <c>risk_models</c>: the latest scoring pass and the model behind it.</summary>
public static class RiskStore
{
    const int Chunk = 5_000;

    /// <summary>A sensor that has just crossed into the at-risk zone.</summary>
    public sealed record NewlyAtRisk(long SensorId, string Tag, IReadOnlyDictionary<string, string> Labels);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores these scores and, in the same transaction, a <see cref="SensorAtRisk"/> outbox event for each sensor that
    /// crossed the threshold (returned). A sensor stays at risk until its risk falls below threshold × clear factor, so
    /// that one hovering around the threshold does not raise an event every pass.
    /// </summary>
    public static async Task<List<NewlyAtRisk>> SaveAsync(
        NpgsqlConnection connection, IReadOnlyList<RiskAssessment> assessments, DateTimeOffset at, double threshold, double clearFactor,
        CancellationToken cancellationToken)
    {
        var crossed = new List<NewlyAtRisk>();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The planner overestimates the history lookups by orders of magnitude and JIT-compiles the statement below,
        // which costs about 0.4 s a chunk for a statement that runs in a fraction of that.
        await using (var noJit = new NpgsqlCommand("SET LOCAL jit = off", connection, transaction))
        {
            await noJit.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var chunk in assessments.Chunk(Chunk))
        {
            await using var command = new NpgsqlCommand("""
                WITH input AS (
                    -- Features and contributions come as one array each, a fixed number of values per sensor in turn.
                    SELECT i.sensor_id, i.risk_7d, i.risk_30d, i.window_start, i.window_end, i.reasons,
                           $6[(i.n - 1) * $12 + 1 : i.n * $12] AS features,
                           $7[(i.n - 1) * $13 + 1 : i.n * $13] AS contribution_values,
                           $8[(i.n - 1) * $13 + 1 : i.n * $13] AS contribution_log_odds
                    FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::timestamptz[], $5::timestamptz[], $14::jsonb[])
                        WITH ORDINALITY AS i(sensor_id, risk_7d, risk_30d, window_start, window_end, reasons, n)
                ), old AS (
                    SELECT r.sensor_id, r.at_risk_since FROM sensor_risks r JOIN input USING (sensor_id)
                ), saved AS (
                    INSERT INTO sensor_risks AS r (sensor_id, scored_at, risk_7d, risk_30d, window_start, window_end, at_risk_since, reasons, features,
                                                   contribution_values, contribution_log_odds)
                    SELECT i.sensor_id, $9, i.risk_7d, i.risk_30d, i.window_start, i.window_end,
                           CASE WHEN i.risk_7d >= $10 THEN coalesce(o.at_risk_since, $9)
                                WHEN i.risk_7d >= $10 * $11 THEN o.at_risk_since END,
                           ARRAY(SELECT jsonb_array_elements_text(i.reasons)), i.features, i.contribution_values, i.contribution_log_odds
                    FROM input i LEFT JOIN old o USING (sensor_id)
                    -- A sensor retired or deleted since it was read is skipped rather than failing the pass.
                    WHERE EXISTS (SELECT FROM sensors s WHERE s.id = i.sensor_id)
                    ON CONFLICT (sensor_id) DO UPDATE SET
                        scored_at = excluded.scored_at, risk_7d = excluded.risk_7d, risk_30d = excluded.risk_30d,
                        window_start = excluded.window_start, window_end = excluded.window_end, at_risk_since = excluded.at_risk_since,
                        reasons = excluded.reasons, features = excluded.features, contribution_values = excluded.contribution_values,
                        contribution_log_odds = excluded.contribution_log_odds
                    RETURNING r.sensor_id, r.at_risk_since
                ), history AS (
                    -- The chart's points: a move of 0.01 or more since the last point, else one an hour
                    -- (docs/predictive-maintenance.md).
                    INSERT INTO sensor_risk_history (sensor_id, scored_at, risk_7d, risk_30d)
                    SELECT i.sensor_id, $9, i.risk_7d, i.risk_30d
                    FROM saved JOIN input i USING (sensor_id)
                    LEFT JOIN LATERAL (
                        SELECT h.scored_at, h.risk_7d FROM sensor_risk_history h
                        WHERE h.sensor_id = i.sensor_id ORDER BY h.scored_at DESC LIMIT 1) last ON true
                    WHERE last.scored_at IS NULL OR last.scored_at <= $9 - interval '1 hour' OR abs(i.risk_7d - last.risk_7d) >= 0.01
                    ON CONFLICT DO NOTHING
                )
                SELECT s.id, s.tag, s.labels FROM saved JOIN sensors s ON s.id = saved.sensor_id LEFT JOIN old o ON o.sensor_id = saved.sensor_id
                WHERE saved.at_risk_since IS NOT NULL AND o.at_risk_since IS NULL
                """, connection, transaction);
            command.Parameters.Add(Array(chunk.Select(a => a.SensorId).ToArray(), NpgsqlDbType.Bigint));
            command.Parameters.Add(Array(chunk.Select(a => a.Risk7d).ToArray(), NpgsqlDbType.Double));
            command.Parameters.Add(Array(chunk.Select(a => a.Risk30d).ToArray(), NpgsqlDbType.Double));
            command.Parameters.Add(Array(chunk.Select(a => a.WindowStart).ToArray(), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Array(chunk.Select(a => a.WindowEnd).ToArray(), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. chunk.SelectMany(a => StoredScore.Features(a.Features))] });
            command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. chunk.SelectMany(a => a.Contributions.Select(c => c.Value))] });
            command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. chunk.SelectMany(a => a.Contributions.Select(c => c.LogOdds))] });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = threshold });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = clearFactor });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = StoredScore.FeatureCount });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ModelInputs.Names.Length });
            command.Parameters.Add(Array(chunk.Select(a => JsonSerializer.Serialize(a.Reasons, Json)).ToArray(), NpgsqlDbType.Jsonb));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                crossed.Add(new NewlyAtRisk(reader.GetInt64(0), reader.GetString(1),
                    JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2), Json) ?? []));
            }
        }

        if (crossed.Count > 0)
        {
            var byId = assessments.ToDictionary(a => a.SensorId);
            var events = crossed.Select(c =>
            {
                var a = byId[c.SensorId];
                return OutboxEvents.For(new SensorAtRisk(c.SensorId, c.Tag, at, a.Risk7d, a.Risk30d, a.WindowStart, a.WindowEnd, a.Reasons, c.Labels));
            }).ToList();
            await using var outbox = new NpgsqlCommand(
                "INSERT INTO outbox_messages (message_id, message_type, payload) SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])",
                connection, transaction);
            outbox.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. events.Select(e => e.MessageId)] });
            outbox.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.MessageType)] });
            outbox.Parameters.Add(Array(events.Select(e => e.Payload).ToArray(), NpgsqlDbType.Jsonb));
            await outbox.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return crossed;
    }

    /// <summary>At the end of a pass: sensors it did not score (down, retired since) lose their score, and their at-risk state.</summary>
    public static async Task<int> ForgetUnscoredAsync(NpgsqlConnection connection, DateTimeOffset passStart, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM sensor_risks WHERE scored_at < $1", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = passStart });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task SaveModelAsync(NpgsqlConnection connection, RiskModel model, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO risk_models (fitted_at, kind, examples, failures, means, scales, weights, weibull_shape, weibull_scale_days, age_curve_kind)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = model.FittedAt });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = model.Kind });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = model.Examples });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = model.Failures });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = model.Means });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = model.Scales });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = model.Weights });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = model.AgeCurve.Shape });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = model.AgeCurve.ScaleDays });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = model.AgeCurveKind });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static RiskModel ToModel(RiskModelRecord record) => new(
        record.Kind, record.FittedAt, record.Examples, record.Failures, record.Means, record.Scales, record.Weights,
        new Weibull(record.WeibullShape, record.WeibullScaleDays), record.AgeCurveKind);

    static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType type) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };
}
