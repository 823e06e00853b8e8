using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Monitor.Worker.Queries;
using Npgsql;
using Sensors360.Audit;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Registry;

public sealed record EditedSensor(
    long Id, string Tag, IReadOnlyDictionary<string, string> Labels, string State, DateTimeOffset StateSince, SensorTimings Timings);

/// <summary>Editing a registered sensor: its tag, labels and timings, with immediate effect on its deadlines.</summary>
public static class SensorEditApi
{
    const int MaxBodyBytes = 64 * 1024;

    public static RouteGroupBuilder MapSensorEditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sensors").WithTags("Sensors");
        group.MapPatch("/{id:long}", Edit).WithName("EditSensor")
            .WithSummary("Changes a sensor's tag, labels or timings (JSON merge patch); its deadlines move at once.")
            // Not Accepts(): routing would answer another media type with a bare 415 before the handler could explain it.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The fields to change, of tag, labels, expectedIntervalSeconds, graceSeconds, staleAfterSeconds; a timing null goes back to the default.",
                    Content = new Dictionary<string, OpenApiMediaType> { [SensorEdit.MergePatchMediaType] = new(), ["application/json"] = new() },
                };
                return Task.CompletedTask;
            })
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return group;
    }

    // Deadlines from the sensor's new timings. A late or down sensor that the new deadlines have not yet reached is
    // better at once (recorded as a flip, like any other); a sensor the new deadlines put behind is moved by the next
    // staleness scan, which judges as of the worker's progress rather than the clock.
    const string Realign = """
        WITH target AS (
            SELECT d.*, CASE WHEN d.from_state = 'late' AND d.late_at >= @now THEN 'up'
                             WHEN d.from_state = 'down' AND d.down_at >= @now THEN CASE WHEN d.late_at >= @now THEN 'up' ELSE 'late' END
                             ELSE d.from_state END AS new_state
            FROM (SELECT l.sensor_id, l.state AS from_state,
                         sensor_late_at(l.last_received_at, s.expected_interval, s.grace, @interval, @grace) AS late_at,
                         sensor_down_at(l.last_received_at, s.stale_after, @stale) AS down_at
                  FROM sensor_liveness l JOIN sensors s ON s.id = l.sensor_id
                  WHERE l.sensor_id = @id AND l.last_received_at IS NOT NULL
                  FOR UPDATE OF l) AS d
        ), updated AS (
            UPDATE sensor_liveness l
            SET late_at = t.late_at, down_at = t.down_at, state = t.new_state,
                state_since = CASE WHEN t.new_state <> t.from_state THEN @now ELSE l.state_since END
            FROM target t WHERE l.sensor_id = t.sensor_id
            RETURNING l.sensor_id, t.from_state, l.state AS to_state, @now AS at, l.last_heartbeat_at
        )
        """ + StateFlips.Record + """
        SELECT count(*)::int FROM events
        """;

    static async Task<Results<Ok<EditedSensor>, ValidationProblem, ProblemHttpResult>> Edit(
        long id, HttpRequest request, MonitorDbContext db, IPublishEndpoint bus, OutboxSignal outbox, IOptions<MonitorOptions> options,
        TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || contentType.MediaType.Value?.ToLowerInvariant() is not (SensorEdit.MergePatchMediaType or "application/json"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the fields to change as '{SensorEdit.MergePatchMediaType}' (or 'application/json'), not '{request.ContentType ?? "nothing"}'.");
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
                detail: $"An edit is at most {MaxBodyBytes / 1024} KiB.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON",
                detail: $"The body is not valid JSON ({ex.Message}); nothing was changed.");
        }
        using var _ = document;
        if (SensorEdit.Parse(document.RootElement, out var errors) is not { } edit)
        {
            return TypedResults.ValidationProblem(errors, detail: "The sensor was not changed.");
        }

        var now = clock.GetUtcNow();
        var defaults = options.Value;
        var outcome = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // The registry row first, as a replacement locks it: two edits, or an edit and a replacement, queue up.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM sensors WHERE id = {id} FOR UPDATE", ct);
            var sensor = await db.Sensors.FindAsync([id], ct);
            if (sensor is null)
            {
                return new Outcome(null, SensorsApi.NotFound(id), 0);
            }
            if (sensor.RetiredAt is not null)
            {
                return new Outcome(sensor, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Sensor retired",
                    detail: $"Sensor {id} was retired at {sensor.RetiredAt:O}; a retired sensor is kept as it was."), 0);
            }

            var next = edit.Apply(sensor);
            if (SensorRegistration.Validate(next) is { Count: > 0 } invalid)
            {
                return new Outcome(sensor, TypedResults.ValidationProblem(invalid, detail: "The sensor was not changed."), 0);
            }
            var before = SensorEdit.Editable(sensor);
            sensor.Tag = next.Tag!.Trim();
            sensor.Labels = next.Labels ?? [];
            sensor.ExpectedInterval = Seconds(next.ExpectedIntervalSeconds);
            sensor.Grace = Seconds(next.GraceSeconds);
            sensor.StaleAfter = Seconds(next.StaleAfterSeconds);
            db.AuditEntries.Add(context.AuditEntry(now, AuditActions.SensorEdit, $"sensor {id}", SensorEdit.Changes(before, SensorEdit.Editable(sensor))));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return new Outcome(sensor, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tag in use",
                    detail: $"An active sensor is already tagged '{sensor.Tag}'; sensor {id} was not changed."), 0);
            }

            int flips;
            await using (var realign = new NpgsqlCommand(Realign, (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction()))
            {
                realign.Parameters.Add(new NpgsqlParameter<long>("id", id));
                realign.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
                realign.Parameters.Add(new NpgsqlParameter<TimeSpan>("interval", defaults.DefaultExpectedInterval));
                realign.Parameters.Add(new NpgsqlParameter<TimeSpan>("grace", defaults.DefaultGrace));
                realign.Parameters.Add(new NpgsqlParameter<TimeSpan>("stale", defaults.DefaultStaleAfter));
                flips = (int)(await realign.ExecuteScalarAsync(ct))!;
            }
            await transaction.CommitAsync(ct);
            await db.Entry(sensor).ReloadAsync(ct);
            return new Outcome(sensor, null, flips);
        }, cancellationToken);

        if (outcome.Refusal is { } refused)
        {
            return refused switch
            {
                ValidationProblem validation => validation,
                ProblemHttpResult problem => problem,
                _ => throw new InvalidOperationException(),
            };
        }

        var edited = outcome.Sensor!;
        if (outcome.Flips > 0)
        {
            outbox.Notify();
        }
        await bus.Publish(new SensorEdited(edited.Id, edited.Tag, edited.Labels, now), cancellationToken);
        return TypedResults.Ok(new EditedSensor(edited.Id, edited.Tag, edited.Labels, edited.State.Name(), edited.StateSince,
            SensorTimings.Of(edited, defaults)));
    }

    static TimeSpan? Seconds(int? value) => value is { } s ? TimeSpan.FromSeconds(s) : null;

    sealed record Outcome(Sensor? Sensor, IResult? Refusal, int Flips);
}
