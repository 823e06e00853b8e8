using Microsoft.Extensions.Options;
using Npgsql;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;

namespace Monitor.Worker.Monitoring;

/// <summary>The fleet's counts and the answers to the three fleet questions, computed in one pass over the sensors and their liveness (never <c>heartbeats</c>).</summary>
public sealed record FleetFigures(
    DateTimeOffset At, int Total, int New, int Up, int Late, int Down, int Retired, int Stale,
    double PercentStale, double? MeanIntervalSeconds, double? MeanLifespanDays, long HeartbeatCount);

/// <summary>Part of the fleet: sensors carrying a label (key:value) and/or whose tag starts with a prefix.</summary>
public sealed record SensorFilter(string? LabelJson, string? TagLike)
{
    /// <summary>A <c>key:value</c> label as the jsonb to match with <c>@&gt;</c>; null when none is given or it is malformed.</summary>
    public static string? ParseLabel(string? label, out string? error)
    {
        error = null;
        if (label is null)
        {
            return null;
        }
        var parts = label.Split(':', 2);
        if (parts.Length != 2 || parts[0].Length == 0)
        {
            error = "Give a label as key:value, e.g. site:north.";
            return null;
        }
        if (label.Contains('\0'))
        {
            error = "A label cannot contain NUL characters.";
            return null;
        }
        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [parts[0]] = parts[1] });
    }

    /// <summary>PostgreSQL text cannot hold NUL, so a tag prefix with one would fail the query instead of matching nothing.</summary>
    public static string? TagError(string? tag) => tag?.Contains('\0') == true ? "A tag prefix cannot contain NUL characters." : null;

    public static void AddParameters(NpgsqlCommand command, SensorFilter? filter)
    {
        command.Parameters.Add(new NpgsqlParameter("label", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = (object?)filter?.LabelJson ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("tag", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)filter?.TagLike ?? DBNull.Value });
    }
}

/// <summary>Definitions: docs/analytics.md. Stale and dead are judged by the server's receive time.</summary>
public sealed class FleetStatistics(NpgsqlDataSource dataSource, IOptions<MonitorOptions> options)
{
    const string Query = """
        SELECT count(*)::int,
               count(*) FILTER (WHERE state = 'new')::int,
               count(*) FILTER (WHERE state = 'up')::int,
               count(*) FILTER (WHERE state = 'late')::int,
               count(*) FILTER (WHERE state = 'down')::int,
               count(*) FILTER (WHERE state = 'retired')::int,
               count(*) FILTER (WHERE retired_at IS NULL
                                 AND sensor_down_at(COALESCE(last_received_at, created_at), stale_after, @stale) < @as_of)::int,
               sum(extract(epoch FROM last_heartbeat_at - first_heartbeat_at)) FILTER (WHERE heartbeat_count >= 2)::float8,
               sum(heartbeat_count - 1) FILTER (WHERE heartbeat_count >= 2)::float8,
               avg(GREATEST(0, extract(epoch FROM
                       CASE WHEN COALESCE(retired_at, @as_of) - last_received_at > @dead_after THEN last_heartbeat_at ELSE retired_at END
                       - first_heartbeat_at)) / 86400.0)
                   FILTER (WHERE first_heartbeat_at IS NOT NULL
                                 AND (COALESCE(retired_at, @as_of) - last_received_at > @dead_after
                                      OR retired_at IS NOT NULL AND COALESCE(retirement_reason, @failed) = @failed))::float8,
               COALESCE(sum(heartbeat_count), 0)::bigint
        FROM sensor_status
        WHERE (@label::jsonb IS NULL OR labels @> @label::jsonb) AND (@tag::text IS NULL OR tag LIKE @tag::text)
        """;

    /// <param name="asOf">Silence is judged up to this moment: the watermark, before which every heartbeat is stored.</param>
    /// <param name="filter">Restricts the figures to part of the fleet; null: the whole fleet.</param>
    public async Task<FleetFigures> ComputeAsync(DateTimeOffset now, DateTimeOffset asOf, SensorFilter? filter, CancellationToken cancellationToken) =>
        await ComputeAsync(await dataSource.OpenConnectionAsync(cancellationToken), now, asOf, cancellationToken, filter, dispose: true);

    public async Task<FleetFigures> ComputeAsync(
        NpgsqlConnection connection, DateTimeOffset now, DateTimeOffset asOf, CancellationToken cancellationToken, SensorFilter? filter = null, bool dispose = false)
    {
        try
        {
            await using var command = new NpgsqlCommand(Query, connection);
            // Unknown (nothing stored yet while heartbeats wait): nobody is judged silent. A finite moment, because
            // DateTimeOffset.MinValue reaches PostgreSQL as -infinity, which the lifespan arithmetic cannot subtract.
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("as_of", asOf < DateTimeOffset.UnixEpoch ? DateTimeOffset.UnixEpoch : asOf));
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("stale", options.Value.DefaultStaleAfter));
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("dead_after", options.Value.DeadAfter));
            // Retired alive for another reason, a sensor's life did not end (RetirementReasonNames.CountsAsFailure).
            command.Parameters.Add(new NpgsqlParameter<string>("failed", RetirementReason.Failed.Name()));
            SensorFilter.AddParameters(command, filter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var total = reader.GetInt32(0);
            var retired = reader.GetInt32(5);
            var stale = reader.GetInt32(6);
            double? span = reader.IsDBNull(7) ? null : reader.GetDouble(7);
            double? gaps = reader.IsDBNull(8) ? null : reader.GetDouble(8);
            var active = total - retired;
            return new FleetFigures(
                now, total, reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), retired, stale,
                PercentStale: active == 0 ? 0 : 100.0 * stale / active,
                MeanIntervalSeconds: gaps is > 0 ? span / gaps : null,
                MeanLifespanDays: reader.IsDBNull(9) ? null : reader.GetDouble(9),
                HeartbeatCount: reader.GetInt64(10));
        }
        finally
        {
            if (dispose)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
