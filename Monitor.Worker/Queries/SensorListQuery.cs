using System.Globalization;
using Monitor.Worker.Monitoring;
using Npgsql;
using NpgsqlTypes;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;

namespace Monitor.Worker.Queries;

/// <summary>
/// The sensor list's filters (state, tag prefix, label) and order, validated; the paged list and the CSV export read
/// the same sensors in the same order.
/// </summary>
public sealed record SensorListQuery(string[] States, string? Tag, string? LabelJson, SensorSort Order, SensorCursor? After)
{
    static readonly string[] StateNames = [.. Enum.GetValues<SensorState>().Select(s => s.Name())];

    /// <summary>The query, or null with <paramref name="errors"/> naming each bad parameter.</summary>
    public static SensorListQuery? Parse(
        string? state, string? tag, string? label, string? sort, string? after, Dictionary<string, string[]> errors)
    {
        var states = state?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToArray() ?? [];
        if (states.Except(StateNames).ToArray() is { Length: > 0 } unknown)
        {
            errors["state"] = [$"Unknown state(s) {string.Join(", ", unknown)}; use {string.Join(", ", StateNames)}."];
        }
        var labelJson = SensorFilter.ParseLabel(label, out var labelError);
        if (labelError is not null)
        {
            errors["label"] = [labelError];
        }
        if (SensorFilter.TagError(tag) is { } tagError)
        {
            errors["tag"] = [tagError];
        }
        var order = SensorSort.Parse(sort);
        if (order is null)
        {
            errors["sort"] = [$"Sort by one of {SensorSort.Names}."];
        }
        var cursor = after is null ? null : SensorCursor.Decode(after);
        if (after is not null && (cursor is null || (order is not null && !cursor.Continues(order.Kind))))
        {
            errors["after"] = ["'after' must be the 'next' value of a previous page, unchanged."];
        }
        return errors.Count == 0 ? new SensorListQuery(states, string.IsNullOrEmpty(tag) ? null : tag, labelJson, order!, cursor) : null;
    }

    /// <summary>The WHERE clause over <c>sensor_status</c> (empty when nothing filters), its parameters added to <paramref name="command"/>.</summary>
    public string Where(NpgsqlCommand command, bool fromCursor = true)
    {
        var where = new List<string>();
        if (States.Length > 0)
        {
            // One state as a plain equality, so the (state, sensor_id) index can give the order by id.
            where.Add(States.Length == 1 ? "state = @states[1]" : "state = ANY(@states)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("states", States));
        }
        if (Tag is not null)
        {
            where.Add("tag LIKE @tag AND (tag COLLATE \"C\") >= @tag_from AND (tag COLLATE \"C\") < @tag_to");
            command.Parameters.Add(new NpgsqlParameter<string>("tag", SensorListSql.EscapeLike(Tag)));
            command.Parameters.Add(new NpgsqlParameter<string>("tag_from", Tag));
            command.Parameters.Add(new NpgsqlParameter<string>("tag_to", SensorListSql.PrefixUpperBound(Tag)));
        }
        if (LabelJson is not null)
        {
            where.Add("labels @> @label");
            command.Parameters.Add(new NpgsqlParameter("label", NpgsqlDbType.Jsonb) { Value = LabelJson });
        }
        if (fromCursor && After is { } cursor)
        {
            var comparison = Order.Descending ? "<" : ">";
            where.Add(Order.Kind == SortKeyKind.None ? $"id {comparison} @after_id" : $"({Order.Expression}, id) {comparison} (@after_key, @after_id)");
            command.Parameters.Add(new NpgsqlParameter<long>("after_id", cursor.Id));
            if (Order.Kind == SortKeyKind.Text)
            {
                command.Parameters.Add(new NpgsqlParameter<string>("after_key", cursor.Key ?? ""));
            }
            else if (Order.Kind == SortKeyKind.Time)
            {
                command.Parameters.Add(new NpgsqlParameter("after_key", NpgsqlDbType.TimestampTz)
                {
                    Value = cursor.Key is null ? DateTime.MinValue : DateTimeOffset.Parse(cursor.Key, CultureInfo.InvariantCulture).UtcDateTime,
                });
            }
        }
        return where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "";
    }

    public string OrderBy
    {
        get
        {
            var direction = Order.Descending ? "DESC" : "ASC";
            return Order.Kind == SortKeyKind.None ? $"id {direction}" : $"{Order.Expression} {direction}, id {direction}";
        }
    }
}
