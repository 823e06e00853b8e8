using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;

namespace Monitor.Worker.Apis;

public sealed record HeartbeatItem(DateTimeOffset SensorTime, DateTimeOffset ReceivedAt);

/// <summary>Reads of the sensor registry for operators (internal; the gateway exposes them).</summary>
public static class SensorQueriesApi
{
    public const int MaxPageSize = 1000;
    public const int MaxHeartbeats = 10_000;
    static readonly string[] States = ["new", "up", "late", "down", "retired"];

    public static RouteGroupBuilder MapSensorQueriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sensors").WithTags("Sensors");
        group.MapGet("/", List).WithName("ListSensors")
            .WithSummary("Lists sensors: filter by state (comma-separated), tag prefix and label (key:value); sort; keyset paging with 'after'.");
        group.MapGet("/{id:long}/heartbeats", Heartbeats).WithName("SensorHeartbeats")
            .WithSummary("A sensor's stored heartbeats between 'from' and 'to' (sensor clock), newest first.");
        return group;
    }

    static async Task<Results<Ok<SensorPage>, ValidationProblem>> List(
        NpgsqlDataSource db, CancellationToken cancellationToken,
        string? state = null, string? tag = null, string? label = null, string? sort = null, string? after = null, int limit = 100)
    {
        var errors = new Dictionary<string, string[]>();
        var states = state?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToArray() ?? [];
        if (states.Except(States).ToArray() is { Length: > 0 } unknown)
        {
            errors["state"] = [$"Unknown state(s) {string.Join(", ", unknown)}; use {string.Join(", ", States)}."];
        }
        string? labelJson = null;
        if (label is not null)
        {
            var parts = label.Split(':', 2);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                errors["label"] = ["Give a label as key:value, e.g. site:north."];
            }
            else
            {
                labelJson = JsonSerializer.Serialize(new Dictionary<string, string> { [parts[0]] = parts[1] });
            }
        }
        var order = SensorSort.Parse(sort);
        if (order is null)
        {
            errors["sort"] = [$"Sort by one of {SensorSort.Names}."];
        }
        var cursor = after is null ? null : SensorCursor.Decode(after);
        if (after is not null && cursor is null)
        {
            errors["after"] = ["'after' must be the 'next' value of a previous page, unchanged."];
        }
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The sensor list query is invalid.");
        }

        var where = new List<string>();
        await using var command = db.CreateCommand();
        if (states.Length > 0)
        {
            where.Add("state = ANY(@states)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("states", states));
        }
        if (!string.IsNullOrEmpty(tag))
        {
            where.Add("tag LIKE @tag");
            command.Parameters.Add(new NpgsqlParameter<string>("tag", SensorListSql.EscapeLike(tag)));
        }
        if (labelJson is not null)
        {
            where.Add("labels @> @label");
            command.Parameters.Add(new NpgsqlParameter("label", NpgsqlDbType.Jsonb) { Value = labelJson });
        }
        var comparison = order!.Descending ? "<" : ">";
        if (cursor is not null)
        {
            where.Add(order.Kind == SortKeyKind.None ? $"id {comparison} @after_id" : $"({order.Expression}, id) {comparison} (@after_key, @after_id)");
            command.Parameters.Add(new NpgsqlParameter<long>("after_id", cursor.Id));
            if (order.Kind == SortKeyKind.Text)
            {
                command.Parameters.Add(new NpgsqlParameter<string>("after_key", cursor.Key ?? ""));
            }
            else if (order.Kind == SortKeyKind.Time)
            {
                command.Parameters.Add(new NpgsqlParameter("after_key", NpgsqlDbType.TimestampTz)
                {
                    Value = cursor.Key is null ? DateTime.MinValue : DateTimeOffset.Parse(cursor.Key, CultureInfo.InvariantCulture).UtcDateTime,
                });
            }
        }
        var direction = order.Descending ? "DESC" : "ASC";
        var orderBy = order.Kind == SortKeyKind.None ? $"id {direction}" : $"{order.Expression} {direction}, id {direction}";
        command.CommandText = $"""
            SELECT id, tag, labels::text, state, state_since, created_at, retired_at, first_heartbeat_at, last_heartbeat_at,
                   last_received_at, heartbeat_count
            FROM sensors
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY {orderBy}
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
            next = new SensorCursor(order.Kind switch
            {
                SortKeyKind.Text => lastItem.Tag,
                SortKeyKind.Time => lastItem.LastReceivedAt?.ToString("O", CultureInfo.InvariantCulture),
                _ => null,
            }, lastItem.Id).Encode();
        }
        return TypedResults.Ok(new SensorPage(items, next));
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

        await using (var exists = db.CreateCommand("SELECT 1 FROM sensors WHERE id = @id"))
        {
            exists.Parameters.Add(new NpgsqlParameter<long>("id", id));
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return TypedResults.Problem(statusCode: 404, title: "Sensor not found", detail: $"There is no sensor with id {id}.");
            }
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
