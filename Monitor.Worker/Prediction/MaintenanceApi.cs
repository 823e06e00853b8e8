using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monitor.Worker.Monitoring;
using Npgsql;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Prediction;

public sealed record ModelSummary(string Kind, DateTimeOffset FittedAt, int Examples, int Failures);

public sealed record MaintenanceItem(
    long SensorId, string Tag, Dictionary<string, string> Labels, string State, double Risk7d, double Risk30d,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset? AtRiskSince, DateTimeOffset ScoredAt,
    DateTimeOffset? LastHeartbeatAt, string[] Reasons);

public sealed record MaintenanceQueue(DateTimeOffset At, double Threshold, ModelSummary? Model, int Total, IReadOnlyList<MaintenanceItem> Items);

public sealed record SensorRiskDetail(
    long SensorId, string Tag, Dictionary<string, string> Labels, string State, double Risk7d, double Risk30d,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset? AtRiskSince, DateTimeOffset ScoredAt,
    DateTimeOffset? LastHeartbeatAt, string[] Reasons, double Threshold, JsonElement Features, JsonElement Contributions);

public sealed record RiskHistoryPoint(DateTimeOffset At, double Risk7d, double Risk30d);

/// <summary>A sensor's scores over time, oldest first: a point whenever the 7-day risk moved by 0.01 or more, else hourly.</summary>
public sealed record SensorRiskHistory(long SensorId, double Threshold, IReadOnlyList<RiskHistoryPoint> Points);

public sealed record ModelInput(string Name, double Weight, double Mean, double Scale);

public sealed record AgeCurve(string Kind, double Shape, double ScaleDays);

public sealed record ModelDescription(
    string Kind, DateTimeOffset FittedAt, int Examples, int Failures, double Threshold, double Intercept, IReadOnlyList<ModelInput> Inputs, AgeCurve AgeCurve);

/// <summary>The maintenance queue: sensors ranked by predicted risk of failing, with the reasons. Model: docs/predictive-maintenance.md.</summary>
public static class MaintenanceApi
{
    const string ItemColumns = """
        r.sensor_id, s.tag, s.labels::text, s.state, r.risk_7d, r.risk_30d, r.window_start, r.window_end, r.at_risk_since,
        r.scored_at, s.last_heartbeat_at, r.reasons
        """;

    public static RouteGroupBuilder MapMaintenanceApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/maintenance").WithTags("Maintenance");
        group.MapGet("/queue", Queue).WithName("MaintenanceQueue")
            .WithSummary("Sensors whose 7-day failure risk is at least minRisk (default: the at-risk threshold), riskiest first, with the reasons.");
        group.MapGet("/model", Model).WithName("RiskModel")
            .WithSummary("The risk model in use: inputs and weights, the age curve, what it was fitted on.");
        app.MapGet("/api/sensors/{id:long}/risk", SensorRisk).WithTags("Maintenance").WithName("SensorRisk")
            .WithSummary("One sensor's predicted risk, its features and each input's contribution.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/sensors/{id:long}/risk/history", SensorRiskHistory).WithTags("Maintenance").WithName("SensorRiskHistory")
            .WithSummary("One sensor's 7- and 30-day risk over the last `days` (default 30), oldest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static async Task<Results<Ok<MaintenanceQueue>, ValidationProblem>> Queue(
        NpgsqlDataSource db, MonitorDbContext context, IOptions<PredictionOptions> options, TimeProvider clock, CancellationToken cancellationToken,
        int limit = 50, double? minRisk = null, string? label = null, string? tag = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > 1000)
        {
            errors["limit"] = ["limit must be between 1 and 1000."];
        }
        if (minRisk is { } min && (!double.IsFinite(min) || min is < 0 or > 1))
        {
            errors["minRisk"] = ["minRisk must be a probability between 0 and 1."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The query is invalid.");
        }
        if (StatsApi.ParseFilter(label, tag, out var filter) is { } invalid)
        {
            return invalid;
        }

        var floor = minRisk ?? options.Value.Threshold;
        await using var command = db.CreateCommand($"""
            SELECT {ItemColumns}, count(*) OVER ()
            FROM sensor_risks r JOIN sensor_status s ON s.id = r.sensor_id
            WHERE r.risk_7d >= @floor
              AND (@label::jsonb IS NULL OR s.labels @> @label::jsonb) AND (@tag::text IS NULL OR s.tag LIKE @tag::text)
            ORDER BY r.risk_7d DESC, r.sensor_id
            LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<double>("floor", floor));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        SensorFilter.AddParameters(command, filter);
        var items = new List<MaintenanceItem>();
        var total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadItem(reader));
                total = (int)reader.GetInt64(12);
            }
        }

        var model = await context.RiskModels.AsNoTracking().OrderByDescending(m => m.FittedAt).FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new MaintenanceQueue(
            clock.GetUtcNow(), options.Value.Threshold,
            model is null ? null : new ModelSummary(model.Kind, model.FittedAt, model.Examples, model.Failures), total, items));
    }

    static async Task<Results<Ok<SensorRiskDetail>, ProblemHttpResult>> SensorRisk(
        long id, NpgsqlDataSource db, IOptions<PredictionOptions> options, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"""
            SELECT {ItemColumns}, r.features, r.contribution_values, r.contribution_log_odds
            FROM sensor_risks r JOIN sensor_status s ON s.id = r.sensor_id
            WHERE r.sensor_id = @id
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not scored",
                detail: $"Sensor {id} has no risk score: it does not exist, or it is not up or late (only those are scored), or the first scoring pass has not run yet.");
        }
        var i = ReadItem(reader);
        return TypedResults.Ok(new SensorRiskDetail(
            i.SensorId, i.Tag, i.Labels, i.State, i.Risk7d, i.Risk30d, i.WindowStart, i.WindowEnd, i.AtRiskSince, i.ScoredAt,
            i.LastHeartbeatAt, i.Reasons, options.Value.Threshold,
            JsonSerializer.SerializeToElement(StoredScore.Features(i.SensorId, reader.GetFieldValue<double[]>(12)), JsonSerializerOptions.Web),
            JsonSerializer.SerializeToElement(
                StoredScore.Contributions(reader.GetFieldValue<double[]>(13), reader.GetFieldValue<double[]>(14)), JsonSerializerOptions.Web)));
    }

    static async Task<Results<Ok<SensorRiskHistory>, ProblemHttpResult, ValidationProblem>> SensorRiskHistory(
        long id, NpgsqlDataSource db, IOptions<PredictionOptions> options, TimeProvider clock, CancellationToken cancellationToken, int days = 30)
    {
        if (days is < 1 or > 3650)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = ["days must be between 1 and 3650."] },
                detail: "The history's window is invalid.");
        }
        await using var command = db.CreateCommand("""
            SELECT h.scored_at, h.risk_7d::float8, h.risk_30d::float8
            FROM sensors s LEFT JOIN sensor_risk_history h ON h.sensor_id = s.id AND h.scored_at >= @since
            WHERE s.id = @id ORDER BY h.scored_at
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("id", id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", clock.GetUtcNow().AddDays(-days)));
        var points = new List<RiskHistoryPoint>();
        var found = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found = true;
            if (!reader.IsDBNull(0))
            {
                points.Add(new RiskHistoryPoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetDouble(1), reader.GetDouble(2)));
            }
        }
        return found
            ? TypedResults.Ok(new SensorRiskHistory(id, options.Value.Threshold, points))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown sensor", detail: $"There is no sensor {id}.");
    }

    static async Task<Results<Ok<ModelDescription>, ProblemHttpResult>> Model(
        MonitorDbContext context, IOptions<PredictionOptions> options, CancellationToken cancellationToken)
    {
        var record = await context.RiskModels.AsNoTracking().OrderByDescending(m => m.FittedAt).FirstOrDefaultAsync(cancellationToken);
        if (record is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No model yet",
                detail: "The risk model is fitted at the first scoring pass after the worker starts; try again shortly.");
        }
        var inputs = ModelInputs.Names.Select((name, j) => new ModelInput(name, record.Weights[j + 1], record.Means[j], record.Scales[j])).ToList();
        return TypedResults.Ok(new ModelDescription(
            record.Kind, record.FittedAt, record.Examples, record.Failures, options.Value.Threshold, record.Weights[0], inputs,
            new AgeCurve(record.AgeCurveKind, record.WeibullShape, record.WeibullScaleDays)));
    }

    static MaintenanceItem ReadItem(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1),
        JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? [], reader.GetString(3),
        reader.GetDouble(4), reader.GetDouble(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), reader.GetFieldValue<DateTimeOffset>(9),
        reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10), reader.GetFieldValue<string[]>(11));
}
