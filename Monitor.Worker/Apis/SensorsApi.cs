using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Monitor.Worker.Infrastructure;
using Monitor.Worker.Model;
using Npgsql;
using Sensors360.Contracts;

namespace Monitor.Worker.Apis;

/// <summary>The sensor registry (internal; operators reach it through the gateway).</summary>
public static class SensorsApi
{
    public static RouteGroupBuilder MapSensorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sensors").WithTags("Sensors");
        group.MapPost("/", Register).WithName("RegisterSensor").WithSummary("Registers a sensor and returns its key, once.");
        group.MapPost("/{id:long}/rotate-key", RotateKey).WithName("RotateSensorKey").WithSummary("Replaces a sensor's key; the old key stops working.");
        group.MapPost("/{id:long}/retire", Retire).WithName("RetireSensor").WithSummary("Decommissions a sensor; its key stops working.");
        return group;
    }

    static async Task<Results<Created<SensorKeyResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterSensorRequest request, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = SensorRegistration.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The sensor was not registered.");
        }

        var key = ApiKeys.NewSensorKey();
        var now = clock.GetUtcNow();
        var sensor = new Sensor
        {
            Tag = request.Tag!.Trim(),
            Labels = request.Labels ?? [],
            KeyHash = ApiKeys.Hash(key),
            CreatedAt = now,
            StateSince = now,
            ExpectedInterval = Seconds(request.ExpectedIntervalSeconds),
            Grace = Seconds(request.GraceSeconds),
            StaleAfter = Seconds(request.StaleAfterSeconds),
        };
        db.Sensors.Add(sensor);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tag in use",
                detail: $"An active sensor is already tagged '{sensor.Tag}'. Retire or replace it first, or choose another tag.");
        }

        await bus.Publish(new SensorRegistered(sensor.Id, sensor.Tag, sensor.Labels, sensor.KeyHash, now), cancellationToken);
        return TypedResults.Created($"/api/sensors/{sensor.Id}", new SensorKeyResponse(sensor.Id, sensor.Tag, key));
    }

    static async Task<Results<Ok<SensorKeyResponse>, ProblemHttpResult>> RotateKey(
        long id, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
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
        await db.SaveChangesAsync(cancellationToken);
        await bus.Publish(new SensorKeyRotated(sensor.Id, sensor.KeyHash, clock.GetUtcNow()), cancellationToken);
        return TypedResults.Ok(new SensorKeyResponse(sensor.Id, sensor.Tag, key));
    }

    static async Task<Results<Ok<SensorSummary>, ProblemHttpResult>> Retire(
        long id, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var sensor = await db.Sensors.FindAsync([id], cancellationToken);
        if (sensor is null)
        {
            return NotFound(id);
        }

        // Retiring twice is harmless: the first retirement stands.
        if (sensor.RetiredAt is null)
        {
            var now = clock.GetUtcNow();
            db.SensorStateChanges.Add(new SensorStateChange { SensorId = id, FromState = sensor.State, ToState = SensorState.Retired, At = now });
            sensor.RetiredAt = now;
            sensor.State = SensorState.Retired;
            sensor.StateSince = now;
            await db.SaveChangesAsync(cancellationToken);
            await bus.Publish(new SensorRetired(id, now), cancellationToken);
        }
        return TypedResults.Ok(new SensorSummary(sensor.Id, sensor.Tag, sensor.Labels, "retired", sensor.StateSince, sensor.RetiredAt));
    }

    static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Sensor not found", detail: $"There is no sensor with id {id}.");

    static TimeSpan? Seconds(int? value) => value is { } s ? TimeSpan.FromSeconds(s) : null;
}
