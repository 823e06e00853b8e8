using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monitor.Worker.Monitoring;
using Npgsql;
using NpgsqlTypes;
using Sensors360.Monitoring.Analytics;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Queries;

public sealed record HeartbeatItem(DateTimeOffset SensorTime, DateTimeOffset ReceivedAt);

public sealed record FlipItem(string From, string To, DateTimeOffset At);

/// <summary>Timings in effect (the sensor's own, else the global defaults) and the deadlines they give.</summary>
public sealed record SensorTimings(
    double ExpectedIntervalSeconds, double GraceSeconds, double StaleAfterSeconds, bool ExpectedIntervalIsDefault,
    bool GraceIsDefault, bool StaleAfterIsDefault, DateTimeOffset? LateAt, DateTimeOffset? DownAt)
{
    public static SensorTimings Of(Sensor sensor, MonitorOptions defaults) => new(
        (sensor.ExpectedInterval ?? defaults.DefaultExpectedInterval).TotalSeconds, (sensor.Grace ?? defaults.DefaultGrace).TotalSeconds,
        (sensor.StaleAfter ?? defaults.DefaultStaleAfter).TotalSeconds, sensor.ExpectedInterval is null, sensor.Grace is null,
        sensor.StaleAfter is null, sensor.LateAt, sensor.DownAt);
}

/// <param name="P50Seconds">Median gap between consecutive heartbeats over <see cref="WindowHours"/> (sensor clock).</param>
public sealed record SensorIntervals(double? MeanSeconds, double? P50Seconds, double? P95Seconds, int WindowHours, int Samples);

/// <summary>One hour of a sensor's heartbeats (its hourly roll-up); interval figures leave silences out.</summary>
public sealed record HourItem(
    DateTimeOffset Hour, int Heartbeats, double? MeanIntervalSeconds, double? LongestGapSeconds, int Silences);

/// <summary>A sensor's cadence over a long range, from its hourly roll-ups.</summary>
/// <param name="MeanIntervalSeconds">Mean gap between heartbeats over the range, silences left out.</param>
/// <param name="StdDevSeconds">Standard deviation of those gaps.</param>
/// <param name="Silences">Gaps longer than the stale threshold (as it was when stored).</param>
public sealed record SensorHours(
    long SensorId, DateTimeOffset From, DateTimeOffset To, long Heartbeats, double? MeanIntervalSeconds, double? StdDevSeconds,
    double? LongestGapSeconds, long Silences, IReadOnlyList<HourItem> Hours);

/// <summary>Share of each window spent up or late, of the time the sensor was watched (see docs/analytics.md).</summary>
public sealed record SensorUptime(double? Last24Hours, double? Last7Days, double? Last30Days);

public sealed record SensorDetail(
    long Id, string Tag, IReadOnlyDictionary<string, string> Labels, string State, DateTimeOffset StateSince,
    DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt, string? RetirementReason, long? ReplacedBy, DateTimeOffset? FirstHeartbeatAt,
    DateTimeOffset? LastHeartbeatAt, DateTimeOffset? LastReceivedAt, long HeartbeatCount, SensorTimings Timings,
    SensorIntervals Intervals, SensorUptime Uptime, IReadOnlyList<HeartbeatItem> RecentHeartbeats, IReadOnlyList<FlipItem> Flips);

/// <summary>Reads of the sensor registry for operators (internal; the gateway exposes them).</summary>
public static class SensorQueriesApi
{
    public const int MaxPageSize = 1000;
    public const int MaxHeartbeats = 10_000;

    public static RouteGroupBuilder MapSensorQueriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sensors").WithTags("Sensors");
        group.MapGet("/", List).WithName("ListSensors")
            .WithSummary("Lists sensors: filter by state (comma-separated), tag prefix and label (key:value); sort; keyset paging with 'after'.");
        group.MapGet("/{id:long}", Detail).WithName("SensorDetail")
            .WithSummary("One sensor: state, timings, interval statistics, uptime over 24 h / 7 d / 30 d, recent heartbeats and flips.");
        group.MapGet("/{id:long}/hours", Hours).WithName("SensorHours")
            .WithSummary("A sensor's hourly roll-ups between 'from' and 'to' (hours of the sensor clock; default the last 30 days) and their totals.");
        group.MapGet("/{id:long}/heartbeats", Heartbeats).WithName("SensorHeartbeats")
            .WithSummary("A sensor's stored heartbeats between 'from' and 'to' (sensor clock), newest first.");
        return group;
    }

    static async Task<Results<Ok<SensorPage>, ValidationProblem>> List(
        NpgsqlDataSource db, CancellationToken cancellationToken,
        string? state = null, string? tag = null, string? label = null, string? sort = null, string? after = null, int limit = 100)
    {
        var errors = new Dictionary<string, string[]>();
        var query = SensorListQuery.Parse(state, tag, label, sort, after, errors);
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }
        if (query is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The sensor list query is invalid.");
        }

        await using var command = db.CreateCommand();
        command.CommandText = $"""
            SELECT id, tag, labels::text, state, state_since, created_at, retired_at, first_heartbeat_at, last_heartbeat_at,
                   last_received_at, heartbeat_count
            FROM sensor_status
            {query.Where(command)}
            ORDER BY {query.OrderBy}
            LIMIT @limit
            """;
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));

        var items = new List<SensorListItem>(limit);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
                var first = Time(7);
                var last = Time(8);
                var count = reader.GetInt64(10);
                items.Add(new SensorListItem(
                    reader.GetInt64(0), reader.GetString(1),
                    JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? [],
                    reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), Time(6),
                    first, last, Time(9), count,
                    count >= 2 && first is { } f && last is { } l ? (l - f).TotalSeconds / (count - 1) : null));
            }
        }

        string? next = null;
        if (items.Count == limit)
        {
            var lastItem = items[^1];
            next = new SensorCursor(query.Order.Kind switch
            {
                SortKeyKind.Text => lastItem.Tag,
                SortKeyKind.Time => lastItem.LastReceivedAt?.ToString("O", CultureInfo.InvariantCulture),
                _ => null,
            }, lastItem.Id).Encode();
        }
        return TypedResults.Ok(new SensorPage(items, next));
    }

    const int IntervalWindowHours = 24;
    const int MaxIntervalSamples = 100_000;

    static async Task<Results<Ok<SensorDetail>, ProblemHttpResult>> Detail(
        long id, MonitorDbContext db, IOptions<MonitorOptions> options, TimeProvider clock, CancellationToken cancellationToken,
        int heartbeats = 20, int flips = 50)
    {
        if (heartbeats is < 0 or > 1000 || flips is < 0 or > 1000)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid limit", detail: "heartbeats and flips must be between 0 and 1000.");
        }
        var sensor = await db.Sensors.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (sensor is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Sensor not found", detail: $"There is no sensor with id {id}.");
        }

        var now = clock.GetUtcNow();
        var monthAgo = now.AddDays(-Uptime.LongestWindowDays);
        var history = await db.SensorStateChanges.AsNoTracking()
            .Where(c => c.SensorId == id && c.At >= monthAgo).OrderBy(c => c.At).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        var before = await db.SensorStateChanges.AsNoTracking()
            .Where(c => c.SensorId == id && c.At < monthAgo).OrderByDescending(c => c.At).ThenByDescending(c => c.Id)
            .Select(c => (SensorState?)c.ToState).FirstOrDefaultAsync(cancellationToken) ?? SensorState.New;
        var stateFlips = history.Select(c => new StateFlip(c.At, c.ToState)).ToList();
        double? UptimeSince(DateTimeOffset from) => Uptime.Fraction(from, now, before, stateFlips) is { } f ? Math.Round(100 * f, 3) : null;

        var windowStart = now.AddHours(-IntervalWindowHours);
        var times = await db.Heartbeats.AsNoTracking()
            .Where(h => h.SensorId == id && h.SensorTime >= windowStart)
            .OrderByDescending(h => h.SensorTime).Take(MaxIntervalSamples).Select(h => h.SensorTime).ToListAsync(cancellationToken);
        var percentiles = Intervals.Percentiles(times);
        // A time bound keeps the query to a day's partitions; only a sensor with fewer heartbeats in the window than
        // asked for, and older ones, needs every partition read.
        var recentFrom = times.Count >= heartbeats || sensor.FirstHeartbeatAt is not { } first || first >= windowStart
            ? windowStart
            : DateTimeOffset.MinValue;
        var recent = await db.Heartbeats.AsNoTracking().Where(h => h.SensorId == id && h.SensorTime >= recentFrom)
            .OrderByDescending(h => h.SensorTime).Take(heartbeats)
            .Select(h => new HeartbeatItem(h.SensorTime, h.ReceivedAt)).ToListAsync(cancellationToken);
        var lastFlips = await db.SensorStateChanges.AsNoTracking().Where(c => c.SensorId == id)
            .OrderByDescending(c => c.At).ThenByDescending(c => c.Id).Take(flips).ToListAsync(cancellationToken);

        return TypedResults.Ok(new SensorDetail(
            sensor.Id, sensor.Tag, sensor.Labels, sensor.State.Name(), sensor.StateSince, sensor.CreatedAt, sensor.RetiredAt,
            sensor.RetirementReason?.Name(), sensor.ReplacedBy, sensor.FirstHeartbeatAt, sensor.LastHeartbeatAt, sensor.LastReceivedAt,
            sensor.HeartbeatCount, SensorTimings.Of(sensor, options.Value),
            new SensorIntervals(
                Intervals.MeanSeconds(new HeartbeatSummary(sensor.FirstHeartbeatAt, sensor.LastHeartbeatAt, sensor.HeartbeatCount)),
                percentiles.P50Seconds, percentiles.P95Seconds, IntervalWindowHours, times.Count),
            new SensorUptime(UptimeSince(now.AddHours(-24)), UptimeSince(now.AddDays(-7)), UptimeSince(monthAgo)),
            recent,
            [.. lastFlips.Select(c => new FlipItem(c.FromState.Name(), c.ToState.Name(), c.At))]));
    }

    public const int MaxHourDays = 400;

    static async Task<Results<Ok<SensorHours>, ProblemHttpResult>> Hours(
        long id, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        if (start > end)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid range", detail: $"'from' ({start:O}) is after 'to' ({end:O}).");
        }
        if (end - start > TimeSpan.FromDays(MaxHourDays))
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid range",
                detail: $"The range spans {(end - start).TotalDays:0.#} days; at most {MaxHourDays} days of hours are returned at once.");
        }
        if (!await SensorExistsAsync(db, id, cancellationToken))
        {
            return TypedResults.Problem(statusCode: 404, title: "Sensor not found", detail: $"There is no sensor with id {id}.");
        }

        await using var command = db.CreateCommand("""
            SELECT hour, beats, gaps, gap_sum, gap_sumsq, longest_gap, silences FROM heartbeat_hours_all
            WHERE sensor_id = @id AND hour >= date_trunc('hour', @from) AND hour <= @to
            ORDER BY hour
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("id", id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", start.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", end.ToUniversalTime()));
        var hours = new List<HourItem>();
        long beats = 0, gaps = 0, silences = 0;
        double sum = 0, squares = 0;
        double? longest = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var (hourBeats, hourGaps, hourSum, hourSilences) = (reader.GetInt32(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetInt32(6));
                double? hourLongest = reader.IsDBNull(5) ? null : reader.GetDouble(5);
                hours.Add(new HourItem(reader.GetFieldValue<DateTimeOffset>(0), hourBeats, hourGaps > 0 ? hourSum / hourGaps : null,
                    hourLongest, hourSilences));
                (beats, gaps, silences, sum, squares) = (beats + hourBeats, gaps + hourGaps, silences + hourSilences, sum + hourSum,
                    squares + reader.GetDouble(4));
                longest = longest is null || hourLongest > longest ? hourLongest : longest;
            }
        }
        return TypedResults.Ok(new SensorHours(id, start, end, beats, gaps > 0 ? sum / gaps : null,
            gaps > 1 ? Math.Sqrt(Math.Max(squares - sum * sum / gaps, 0) / (gaps - 1)) : null, longest, silences, hours));
    }

    static async Task<bool> SensorExistsAsync(NpgsqlDataSource db, long id, CancellationToken cancellationToken)
    {
        await using var exists = db.CreateCommand("SELECT 1 FROM sensors WHERE id = @id");
        exists.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await exists.ExecuteScalarAsync(cancellationToken) is not null;
    }

    static async Task<Results<Ok<List<HeartbeatItem>>, ProblemHttpResult>> Heartbeats(
        long id, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 1000)
    {
        if (limit is < 1 or > MaxHeartbeats)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid limit", detail: $"limit must be between 1 and {MaxHeartbeats}.");
        }
        var end = to ?? clock.GetUtcNow().AddMinutes(10);
        var start = from ?? end.AddDays(-1);
        if (start > end)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid range", detail: $"'from' ({start:O}) is after 'to' ({end:O}).");
        }

        if (!await SensorExistsAsync(db, id, cancellationToken))
        {
            return TypedResults.Problem(statusCode: 404, title: "Sensor not found", detail: $"There is no sensor with id {id}.");
        }

        await using var command = db.CreateCommand("""
            SELECT sensor_time, received_at FROM heartbeats
            WHERE sensor_id = @id AND sensor_time >= @from AND sensor_time <= @to
            ORDER BY sensor_time DESC LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("id", id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", start.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", end.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var items = new List<HeartbeatItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new HeartbeatItem(reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }
        return TypedResults.Ok(items);
    }
}
