using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Monitor.Worker.Queries;
using Npgsql;
using Sensors360.Monitoring.Analytics;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;

namespace Monitor.Worker.Monitoring;

public sealed record KaplanMeierSummary(double? MedianDays, double RestrictedMeanDays, double HorizonDays, int Lives, int Ended);

/// <summary>The answers to the three fleet questions and the fleet's counts. Definitions: docs/analytics.md.</summary>
public sealed record FleetStats(
    DateTimeOffset At, int Total, int New, int Up, int Late, int Down, int Retired, int Stale, double StaleThresholdSeconds,
    double PercentStale, double? MeanIntervalSeconds, double? MeanLifespanDays, double? HeartbeatsPerSecond, KaplanMeierSummary KaplanMeier,
    double? LagSeconds, bool Behind);

/// <param name="Value">The label's value; null for the sensors that do not have the label.</param>
public sealed record LabelGroup(string? Value, int Total, int New, int Up, int Late, int Down, int Retired);

/// <param name="More">Whether more values exist than the <c>limit</c> returned (the largest groups come first).</param>
public sealed record LabelBreakdown(string Key, IReadOnlyList<LabelGroup> Groups, bool More);

/// <summary>Live sensors whose mean interval is in [<see cref="FromSeconds"/>, <see cref="ToSeconds"/>): powers of two.</summary>
public sealed record IntervalBucket(double FromSeconds, double ToSeconds, int Sensors);

/// <summary>
/// How often the live sensors report: each one's mean interval (its heartbeats' span over their gaps), the fleet's
/// median and 95th percentile of those, and how many fall in each power-of-two bucket.
/// </summary>
public sealed record IntervalDistribution(int Sensors, double? P50Seconds, double? P95Seconds, IReadOnlyList<IntervalBucket> Buckets);

public sealed record SurvivalCurve(IReadOnlyList<SurvivalPoint> Points, KaplanMeierSummary Summary);

public static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/stats").WithTags("Stats");
        group.MapGet("/", Stats).WithName("FleetStats")
            .WithSummary("% stale, mean interval between heartbeats, mean lifespan (and Kaplan–Meier) for the fleet, or the sensors matching label/tag.");
        group.MapGet("/intervals", Intervals).WithName("IntervalDistribution")
            .WithSummary("The distribution of live sensors' mean intervals between heartbeats: p50, p95 and power-of-two buckets.");
        group.MapGet("/labels/{key}", ByLabel).WithName("FleetByLabel")
            .WithSummary("The fleet's counts by state for each value of one label (e.g. site): the largest groups first.");
        group.MapGet("/survival", Survival).WithName("SurvivalCurve")
            .WithSummary("The Kaplan–Meier survival curve of sensor lifespans (live sensors censored).");
        return group;
    }

    static async Task<Results<Ok<FleetStats>, ValidationProblem>> Stats(
        FleetStatistics statistics, NpgsqlDataSource db, LatestSnapshot latest, IOptions<MonitorOptions> options, TimeProvider clock,
        CancellationToken cancellationToken, string? label = null, string? tag = null)
    {
        if (ParseFilter(label, tag, out var filter) is { } invalid)
        {
            return invalid;
        }
        var now = clock.GetUtcNow();
        // Silence is judged as of the leader's last watermark: a sensor whose heartbeats wait unread is not stale.
        var snapshot = latest.Value;
        var asOf = snapshot switch
        {
            { Behind: true, LagSeconds: { } lag } => snapshot.At - TimeSpan.FromSeconds(lag),
            { Behind: true } => DateTimeOffset.MinValue,
            _ => now,
        };
        var figures = await statistics.ComputeAsync(now, asOf, filter, cancellationToken);
        var survival = await EstimateSurvivalAsync(db, filter, now, options.Value.DeadAfter, cancellationToken);
        return TypedResults.Ok(new FleetStats(
            figures.At, figures.Total, figures.New, figures.Up, figures.Late, figures.Down, figures.Retired, figures.Stale,
            options.Value.DefaultStaleAfter.TotalSeconds, figures.PercentStale, figures.MeanIntervalSeconds, figures.MeanLifespanDays,
            filter is null ? snapshot?.HeartbeatsPerSecond : null, Summary(survival), snapshot?.LagSeconds, snapshot?.Behind ?? false));
    }

    static async Task<Results<Ok<SurvivalCurve>, ValidationProblem>> Survival(
        NpgsqlDataSource db, IOptions<MonitorOptions> options, TimeProvider clock, CancellationToken cancellationToken,
        string? label = null, string? tag = null, int maxPoints = 1000)
    {
        if (ParseFilter(label, tag, out var filter) is { } invalid)
        {
            return invalid;
        }
        if (maxPoints is < 2 or > 100_000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["maxPoints"] = ["maxPoints must be between 2 and 100000."] });
        }
        var survival = await EstimateSurvivalAsync(db, filter, clock.GetUtcNow(), options.Value.DeadAfter, cancellationToken);
        return TypedResults.Ok(new SurvivalCurve(Thin(survival.Curve, maxPoints), Summary(survival)));
    }

    /// <summary>
    /// The curve only drops at events, so censoring-only points are dropped first (start and end kept); a curve still
    /// longer than <paramref name="maxPoints"/> keeps evenly spaced steps.
    /// </summary>
    static IReadOnlyList<SurvivalPoint> Thin(IReadOnlyList<SurvivalPoint> curve, int maxPoints)
    {
        if (curve.Count <= maxPoints)
        {
            return curve;
        }
        var steps = curve.Where((p, i) => i == 0 || i == curve.Count - 1 || p.Events > 0).ToList();
        if (steps.Count <= maxPoints)
        {
            return steps;
        }
        var stride = (double)(steps.Count - 1) / (maxPoints - 1);
        return [.. Enumerable.Range(0, maxPoints).Select(i => steps[(int)Math.Round(i * stride)])];
    }

    static KaplanMeierSummary Summary(SurvivalEstimate s) => new(s.MedianDays, s.RestrictedMeanDays, s.HorizonDays, s.Lives, s.Ended);

    static async Task<Results<Ok<IntervalDistribution>, ValidationProblem>> Intervals(
        NpgsqlDataSource db, CancellationToken cancellationToken, string? label = null, string? tag = null)
    {
        if (ParseFilter(label, tag, out var filter) is { } invalid)
        {
            return invalid;
        }
        // Sensors heard at least twice and not retired; a 1 ms floor keeps a burst of equal timestamps in a bucket.
        await using var command = db.CreateCommand("""
            WITH m AS (
                SELECT GREATEST(extract(epoch FROM last_heartbeat_at - first_heartbeat_at)::float8 / (heartbeat_count - 1), 0.001) AS s
                FROM sensor_status
                WHERE heartbeat_count >= 2 AND state <> 'retired'
                  AND (@label::jsonb IS NULL OR labels @> @label::jsonb) AND (@tag::text IS NULL OR tag LIKE @tag::text)
            ), figures AS (
                SELECT count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY s) AS p95 FROM m
            )
            SELECT f.n, f.p50, f.p95, b.k, b.sensors
            FROM figures f LEFT JOIN (SELECT floor(log(2.0, s::numeric))::int AS k, count(*)::int AS sensors FROM m GROUP BY 1) b ON true
            ORDER BY b.k
            """);
        SensorFilter.AddParameters(command, filter);
        var (sensors, p50, p95) = (0, (double?)null, (double?)null);
        var buckets = new List<IntervalBucket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sensors = reader.GetInt32(0);
            p50 = reader.IsDBNull(1) ? null : reader.GetDouble(1);
            p95 = reader.IsDBNull(2) ? null : reader.GetDouble(2);
            if (!reader.IsDBNull(3))
            {
                var k = reader.GetInt32(3);
                buckets.Add(new IntervalBucket(Math.Pow(2, k), Math.Pow(2, k + 1), reader.GetInt32(4)));
            }
        }
        return TypedResults.Ok(new IntervalDistribution(sensors, p50, p95, buckets));
    }

    static async Task<Results<Ok<LabelBreakdown>, ValidationProblem>> ByLabel(
        NpgsqlDataSource db, string key, CancellationToken cancellationToken, int limit = 100)
    {
        var errors = new Dictionary<string, string[]>();
        if (key.Length is 0 or > 200 || key.Contains('\0') || key.Contains(':'))
        {
            errors["key"] = ["Give a label key of 1 to 200 characters, without ':' or NUL, e.g. site."];
        }
        if (limit is < 1 or > 1000)
        {
            errors["limit"] = ["limit must be between 1 and 1000."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The breakdown's parameters are invalid.");
        }
        await using var command = db.CreateCommand("""
            SELECT labels->>@key, count(*)::int,
                   count(*) FILTER (WHERE state = 'new')::int, count(*) FILTER (WHERE state = 'up')::int,
                   count(*) FILTER (WHERE state = 'late')::int, count(*) FILTER (WHERE state = 'down')::int,
                   count(*) FILTER (WHERE state = 'retired')::int
            FROM sensor_status GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST LIMIT @limit + 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("key", key));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var groups = new List<LabelGroup>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new LabelGroup(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2),
                reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)));
        }
        return TypedResults.Ok(new LabelBreakdown(key, groups.Take(limit).ToList(), groups.Count > limit));
    }

    /// <summary>Every sensor that was ever heard is one life: ended (retired, or dead) or still running (censored).</summary>
    static async Task<SurvivalEstimate> EstimateSurvivalAsync(
        NpgsqlDataSource db, SensorFilter? filter, DateTimeOffset now, TimeSpan deadAfter, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("""
            SELECT first_heartbeat_at, last_heartbeat_at, last_received_at, retired_at, retirement_reason FROM sensor_status
            WHERE first_heartbeat_at IS NOT NULL
              AND (@label::jsonb IS NULL OR labels @> @label::jsonb) AND (@tag::text IS NULL OR tag LIKE @tag::text)
            """);
        SensorFilter.AddParameters(command, filter);
        var lives = new List<Life>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
                var reason = reader.IsDBNull(4) ? null : RetirementReasonNames.Parse(reader.GetString(4));
                if (Lifespans.Of(Time(0), Time(1), Time(2), Time(3), now, deadAfter, reason) is { } life)
                {
                    lives.Add(life);
                }
            }
        }
        return KaplanMeier.Estimate(lives);
    }

    /// <returns>A validation problem, or null with <paramref name="filter"/> set (null when neither is given).</returns>
    internal static ValidationProblem? ParseFilter(string? label, string? tag, out SensorFilter? filter)
    {
        filter = null;
        var labelJson = SensorFilter.ParseLabel(label, out var error);
        if (error is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["label"] = [error] }, detail: "The filter is invalid.");
        }
        if (SensorFilter.TagError(tag) is { } tagError)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tag"] = [tagError] }, detail: "The filter is invalid.");
        }
        if (labelJson is not null || !string.IsNullOrEmpty(tag))
        {
            filter = new SensorFilter(labelJson, string.IsNullOrEmpty(tag) ? null : SensorListSql.EscapeLike(tag));
        }
        return null;
    }
}
