using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Monitor.Worker.Outbox;
using Monitor.Worker.Storage;
using Npgsql;
using Sensors360.Storage;
using Sensors360.Audit;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Registry;

/// <summary>The sensor registry (internal; operators reach it through the gateway).</summary>
public static class SensorsApi
{
    public static RouteGroupBuilder MapSensorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sensors").WithTags("Sensors");
        group.MapPost("/", Register).WithName("RegisterSensor").WithSummary("Registers a sensor and returns its key, once.");
        group.MapPost("/import", Import).WithName("ImportSensors")
            .WithSummary("Registers every sensor of a CSV file, or none; answers CSV with each sensor's key, once.")
            // Not Accepts(): routing would answer a bare 415 before the handler could explain it.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "Header row with 'tag' and optional expected_interval_seconds, grace_seconds, stale_after_seconds; other columns are labels.",
                    Content = new Dictionary<string, OpenApiMediaType> { [SensorCsv.MediaType] = new() },
                };
                return Task.CompletedTask;
            })
            .Produces<string>(StatusCodes.Status201Created, SensorCsv.MediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/{id:long}/rotate-key", RotateKey).WithName("RotateSensorKey").WithSummary("Replaces a sensor's key; the old key stops working.");
        group.MapPost("/{id:long}/replace", Replace).WithName("ReplaceSensor")
            .WithSummary("Retires a sensor (optionally saying why) and registers its replacement with the same tag, labels and timings; returns the new key, once.");
        group.MapPost("/{id:long}/retire", Retire).WithName("RetireSensor").WithSummary("Retires a sensor, optionally saying why (failed, replaced-preventively, decommissioned); its key stops working.");
        return group;
    }

    static async Task<Results<Created<SensorKeyResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterSensorRequest request, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = SensorRegistration.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The sensor was not registered.");
        }

        var key = ApiKeys.NewSensorKey();
        var now = clock.GetUtcNow();
        Sensor sensor;
        try
        {
            sensor = await db.InTransactionAsync(async ct =>
            {
                var added = SensorRegistration.NewSensor(request, key, now);
                db.Sensors.Add(added);
                await db.SaveChangesAsync(ct);
                db.AuditEntries.Add(context.AuditEntry(now, AuditActions.SensorRegister, $"sensor {added.Id}", new
                {
                    added.Tag, added.Labels, request.ExpectedIntervalSeconds, request.GraceSeconds, request.StaleAfterSeconds,
                }));
                await db.SaveChangesAsync(ct);
                return added;
            }, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tag in use",
                detail: $"An active sensor is already tagged '{request.Tag!.Trim()}'. Retire or replace it first, or choose another tag.");
        }

        await bus.Publish(new SensorRegistered(sensor.Id, sensor.Tag, sensor.Labels, sensor.KeyHash, now), cancellationToken);
        return TypedResults.Created($"/api/sensors/{sensor.Id}", new SensorKeyResponse(sensor.Id, sensor.Tag, key));
    }

    static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> Import(
        HttpRequest request, MonitorDbContext db, IBus bus, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType.Value, SensorCsv.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the sensors as '{SensorCsv.MediaType}' (a header row with at least 'tag'), not '{request.ContentType ?? "nothing"}'.");
        }

        var body = await ReadLimitedAsync(request.Body, MaxImportBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
                detail: $"A CSV import is at most {MaxImportBytes / (1024 * 1024)} MiB; split the file.");
        }

        SensorCsvParseResult parsed;
        try
        {
            parsed = SensorCsv.Parse(new StreamReader(new MemoryStream(body), new UTF8Encoding(false, throwOnInvalidBytes: true)));
        }
        catch (DecoderFallbackException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid CSV",
                detail: "The file is not valid UTF-8.");
        }
        if (parsed.Errors.Count > 0)
        {
            return TypedResults.ValidationProblem(parsed.Errors, detail: "No sensor was registered: fix the listed lines and send the whole file again.");
        }

        var tags = parsed.Rows.Select(r => r.Tag!.Trim()).ToArray();
        var taken = await db.Sensors.Where(s => s.RetiredAt == null && tags.Contains(s.Tag)).Select(s => s.Tag).Take(10).ToListAsync(cancellationToken);
        if (taken.Count > 0)
        {
            return TagsInUse(taken);
        }

        var now = clock.GetUtcNow();
        var keys = parsed.Rows.Select(_ => ApiKeys.NewSensorKey()).ToList();
        List<(string Key, Sensor Sensor)> created;
        try
        {
            created = await db.InTransactionAsync(async ct =>   // all rows or none
            {
                var sensors = parsed.Rows.Select((row, i) => (Key: keys[i], Sensor: SensorRegistration.NewSensor(row, keys[i], now))).ToList();
                db.Sensors.AddRange(sensors.Select(c => c.Sensor));
                await db.SaveChangesAsync(ct);
                var ids = sensors.Select(c => c.Sensor.Id).ToList();
                db.AuditEntries.Add(context.AuditEntry(now, AuditActions.SensorImport, $"sensors {ids.Min()}–{ids.Max()}",
                    new { Count = ids.Count, FirstId = ids.Min(), LastId = ids.Max() }));
                await db.SaveChangesAsync(ct);
                return sensors;
            }, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TagsInUse([]);
        }

        await Parallel.ForEachAsync(created, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = CancellationToken.None },
            async (c, ct) => await bus.Publish(new SensorRegistered(c.Sensor.Id, c.Sensor.Tag, c.Sensor.Labels, c.Sensor.KeyHash, now), ct));
        var csv = SensorCsv.Write(created.Select(c => new SensorKeyResponse(c.Sensor.Id, c.Sensor.Tag, c.Key)));
        return TypedResults.Text(csv, SensorCsv.MediaType + "; charset=utf-8", Encoding.UTF8, StatusCodes.Status201Created);
    }

    const int MaxImportBytes = 4 * 1024 * 1024;

    static ProblemHttpResult TagsInUse(IReadOnlyList<string> tags) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: "Tag in use",
        detail: tags.Count == 0
            ? "Another request registered one of these tags meanwhile; no sensor was registered. Send the file again."
            : $"Active sensors already carry these tags: {string.Join(", ", tags.Select(t => $"'{t}'"))}; no sensor was registered.");

    /// <returns>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</returns>
    static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    static async Task<Results<Ok<SensorKeyResponse>, ProblemHttpResult>> RotateKey(
        long id, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var sensor = await db.Sensors.FindAsync([id], cancellationToken);
        if (sensor is null)
        {
            return NotFound(id);
        }
        if (sensor.RetiredAt is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Sensor retired",
                detail: $"Sensor {id} was retired at {sensor.RetiredAt:O}; a retired sensor gets no new key.");
        }

        var key = ApiKeys.NewSensorKey();
        sensor.KeyHash = ApiKeys.Hash(key);
        db.AuditEntries.Add(context.AuditEntry(clock.GetUtcNow(), AuditActions.SensorRotateKey, $"sensor {id}"));
        await db.SaveChangesAsync(cancellationToken);
        await bus.Publish(new SensorKeyRotated(sensor.Id, sensor.KeyHash, clock.GetUtcNow()), cancellationToken);
        return TypedResults.Ok(new SensorKeyResponse(sensor.Id, sensor.Tag, key));
    }

    static async Task<Results<Ok<SensorSummary>, ValidationProblem, ProblemHttpResult>> Retire(
        long id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RetireRequest? request, MonitorDbContext db,
        IPublishEndpoint bus, OutboxSignal outbox, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (RetireRequest.Validate(request, out var reason) is { } invalid)
        {
            return invalid;
        }
        var sensor = await db.Sensors.FindAsync([id], cancellationToken);
        if (sensor is null)
        {
            return NotFound(id);
        }

        // Retiring twice is harmless: the first retirement stands.
        if (sensor.RetiredAt is null)
        {
            var now = clock.GetUtcNow();
            var from = sensor.State;
            db.SensorStateChanges.Add(new SensorStateChange { SensorId = id, FromState = from, ToState = SensorState.Retired, At = now });
            sensor.RetiredAt = now;
            sensor.RetirementReason = reason;
            sensor.State = SensorState.Retired;
            sensor.StateSince = now;
            db.AuditEntries.Add(context.AuditEntry(now, AuditActions.SensorRetire, $"sensor {id}", new { Reason = reason?.Name(), From = from.Name() }));
            db.OutboxMessages.Add(OutboxEvents.For(new SensorStateChanged(id, sensor.Tag, from.Name(), SensorStates.Retired, now, sensor.LastHeartbeatAt, sensor.Labels)));
            await db.SaveChangesAsync(cancellationToken);
            outbox.Notify();
            await bus.Publish(new SensorRetired(id, now), cancellationToken);
        }
        return TypedResults.Ok(new SensorSummary(sensor.Id, sensor.Tag, sensor.Labels, SensorState.Retired.Name(), sensor.StateSince,
            sensor.RetiredAt, sensor.RetirementReason?.Name()));
    }

    static async Task<Results<Created<ReplacementResponse>, ValidationProblem, ProblemHttpResult>> Replace(
        long id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RetireRequest? request, MonitorDbContext db,
        IPublishEndpoint bus, OutboxSignal outbox, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (RetireRequest.Validate(request, out var reason) is { } invalid)
        {
            return invalid;
        }
        var now = clock.GetUtcNow();
        var key = ApiKeys.NewSensorKey();
        // The retrying execution strategy replays the whole transaction on a transient failure.
        var outcome = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Lock the row so two concurrent replacements cannot both succeed.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM sensors WHERE id = {id} FOR UPDATE", ct);
            var old = await db.Sensors.FindAsync([id], ct);
            if (old is null || old.RetiredAt is not null)
            {
                return (Old: old, New: (Sensor?)null);
            }

            var from = old.State;
            db.SensorStateChanges.Add(new SensorStateChange { SensorId = id, FromState = old.State, ToState = SensorState.Retired, At = now });
            old.RetiredAt = now;
            old.RetirementReason = reason;
            old.State = SensorState.Retired;
            old.StateSince = now;
            db.OutboxMessages.Add(OutboxEvents.For(new SensorStateChanged(id, old.Tag, from.Name(), SensorStates.Retired, now, old.LastHeartbeatAt, old.Labels)));
            await db.SaveChangesAsync(ct);   // frees the tag for the replacement

            var replacement = SensorRegistration.NewSensor(old.Tag, new Dictionary<string, string>(old.Labels), key, now,
                old.ExpectedInterval, old.Grace, old.StaleAfter);
            db.Sensors.Add(replacement);
            await db.SaveChangesAsync(ct);
            old.ReplacedBy = replacement.Id;
            db.AuditEntries.Add(context.AuditEntry(now, AuditActions.SensorReplace, $"sensor {id}",
                new { Reason = reason?.Name(), ReplacedBy = replacement.Id, From = from.Name() }));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return (Old: old, New: replacement);
        }, cancellationToken);

        if (outcome.Old is null)
        {
            return NotFound(id);
        }
        if (outcome.New is not { } created)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Sensor retired",
                detail: $"Sensor {id} was already retired at {outcome.Old.RetiredAt:O}"
                    + (outcome.Old.ReplacedBy is { } by ? $" and replaced by sensor {by}." : "; register a new sensor instead."));
        }

        outbox.Notify();
        await bus.Publish(new SensorRetired(id, now), cancellationToken);
        await bus.Publish(new SensorRegistered(created.Id, created.Tag, created.Labels, created.KeyHash, now), cancellationToken);
        return TypedResults.Created($"/api/sensors/{created.Id}", new ReplacementResponse(created.Id, created.Tag, key, id));
    }

    internal static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Sensor not found", detail: $"There is no sensor with id {id}.");
}
