using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitor.Worker.Registry;
using Npgsql;

namespace Monitor.Worker.Queries;

/// <summary>
/// The sensor list and a sensor's heartbeats as CSV files to download, written row by row as the database reads them:
/// an export of millions of rows holds a few thousand in memory at a time.
/// </summary>
public static class SensorExportApi
{
    const string CsvContentType = "text/csv; charset=utf-8";
    const string LabelPrefix = "label:";
    const int RowsPerFlush = 1000;

    static readonly string[] SensorColumns =
    [
        "id", "tag", "state", "state_since", "created_at", "retired_at", "retirement_reason", "replaced_by", "first_heartbeat_at",
        "last_heartbeat_at", "last_received_at", "heartbeat_count", "mean_interval_seconds", "expected_interval_seconds",
        "grace_seconds", "stale_after_seconds",
    ];

    public static RouteGroupBuilder MapSensorExportApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sensors").WithTags("Sensors");
        group.MapGet("/export", Sensors).WithName("ExportSensors")
            .WithSummary("The sensor list as CSV, with the list's filters and sort (no paging): one row per sensor, a 'label:<key>' column per label key.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        group.MapGet("/{id:long}/heartbeats/export", Heartbeats).WithName("ExportSensorHeartbeats")
            .WithSummary("A sensor's heartbeats between 'from' and 'to' (sensor clock) as CSV, oldest first.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return group;
    }

    static Results<PushStreamHttpResult, ValidationProblem> Sensors(
        NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken,
        string? state = null, string? tag = null, string? label = null, string? sort = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (SensorListQuery.Parse(state, tag, label, sort, after: null, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, detail: "The sensor export's filters are invalid; nothing was exported.");
        }
        var fileName = $"sensors-{Stamp(clock.GetUtcNow())}.csv";
        return TypedResults.Stream(async body =>
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            // One snapshot for the label columns and the rows, so every label in a row has its column.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

            var labelKeys = new List<string>();
            await using (var keys = new NpgsqlCommand { Connection = connection, Transaction = transaction })
            {
                keys.CommandText = $"""
                    SELECT DISTINCT k COLLATE "C" FROM sensor_status CROSS JOIN LATERAL jsonb_object_keys(labels) AS k
                    {query.Where(keys)} ORDER BY 1
                    """;
                await using var reader = await keys.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    labelKeys.Add(reader.GetString(0));
                }
            }

            await using var rows = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            rows.CommandText = $"""
                SELECT id, tag, state, state_since, created_at, retired_at, retirement_reason, replaced_by, first_heartbeat_at,
                       last_heartbeat_at, last_received_at, heartbeat_count,
                       extract(epoch FROM expected_interval)::float8, extract(epoch FROM grace)::float8, extract(epoch FROM stale_after)::float8,
                       labels::text
                FROM sensor_status
                {query.Where(rows)}
                ORDER BY {query.OrderBy}
                """;
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: -1, leaveOpen: true);
            await using var csv = new CsvWriter(writer, SensorCsv.ForSpreadsheets());
            foreach (var column in SensorColumns.Concat(labelKeys.Select(k => LabelPrefix + k)))
            {
                csv.WriteField(column);
            }
            await csv.NextRecordAsync();

            await using var sensors = await rows.ExecuteReaderAsync(cancellationToken);
            var written = 0;
            while (await sensors.ReadAsync(cancellationToken))
            {
                var first = Time(sensors, 8);
                var last = Time(sensors, 9);
                var count = sensors.GetInt64(11);
                csv.WriteField(sensors.GetInt64(0).ToString(CultureInfo.InvariantCulture));
                csv.WriteField(sensors.GetString(1));
                csv.WriteField(sensors.GetString(2));
                csv.WriteField(Format(sensors.GetFieldValue<DateTimeOffset>(3)));
                csv.WriteField(Format(sensors.GetFieldValue<DateTimeOffset>(4)));
                csv.WriteField(Format(Time(sensors, 5)));
                csv.WriteField(sensors.IsDBNull(6) ? "" : sensors.GetString(6));
                csv.WriteField(sensors.IsDBNull(7) ? "" : sensors.GetInt64(7).ToString(CultureInfo.InvariantCulture));
                csv.WriteField(Format(first));
                csv.WriteField(Format(last));
                csv.WriteField(Format(Time(sensors, 10)));
                csv.WriteField(count.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(count >= 2 && first is { } f && last is { } l ? Format((l - f).TotalSeconds / (count - 1)) : "");
                for (var i = 12; i <= 14; i++)
                {
                    // Blank: the sensor follows the fleet's default, as in an import file.
                    csv.WriteField(sensors.IsDBNull(i) ? "" : Format(sensors.GetDouble(i)));
                }
                var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(sensors.GetString(15)) ?? [];
                foreach (var key in labelKeys)
                {
                    csv.WriteField(labels.GetValueOrDefault(key, ""));
                }
                await csv.NextRecordAsync();
                if (++written % RowsPerFlush == 0)
                {
                    await csv.FlushAsync();
                }
            }
        }, CsvContentType, fileName);
    }

    static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Heartbeats(
        long id, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken,
        DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var end = to ?? clock.GetUtcNow().AddMinutes(10);
        var start = from ?? end.AddDays(-1);
        if (start > end)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid range", detail: $"'from' ({start:O}) is after 'to' ({end:O}); nothing was exported.");
        }
        await using (var exists = db.CreateCommand("SELECT 1 FROM sensors WHERE id = @id"))
        {
            exists.Parameters.Add(new NpgsqlParameter<long>("id", id));
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return SensorsApi.NotFound(id);
            }
        }

        var fileName = $"sensor-{id}-heartbeats-{Stamp(start)}-{Stamp(end)}.csv";
        return TypedResults.Stream(async body =>
        {
            await using var command = db.CreateCommand("""
                SELECT sensor_time, received_at FROM heartbeats
                WHERE sensor_id = @id AND sensor_time >= @from AND sensor_time <= @to
                ORDER BY sensor_time, received_at
                """);
            command.Parameters.Add(new NpgsqlParameter<long>("id", id));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", start.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", end.ToUniversalTime()));
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: -1, leaveOpen: true);
            await using var csv = new CsvWriter(writer, SensorCsv.ForSpreadsheets());
            csv.WriteField("sensor_time");
            csv.WriteField("received_at");
            await csv.NextRecordAsync();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var written = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                csv.WriteField(Format(reader.GetFieldValue<DateTimeOffset>(0)));
                csv.WriteField(Format(reader.GetFieldValue<DateTimeOffset>(1)));
                await csv.NextRecordAsync();
                if (++written % RowsPerFlush == 0)
                {
                    await csv.FlushAsync();
                }
            }
        }, CsvContentType, fileName);
    }

    static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>UTC, ISO 8601 to the microsecond (what PostgreSQL keeps); empty for none.</summary>
    static string Format(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) ?? "";

    static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
