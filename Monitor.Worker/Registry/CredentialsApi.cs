using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sensors360.Contracts;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Registry;

/// <summary>
/// What Ingestion.Api needs to check keys without a database round trip: key hashes (never keys), retirement and
/// labels (for collector selectors). Internal only: the gateway never routes <c>/internal</c>.
/// </summary>
public static class CredentialsApi
{
    public const int MaxPageSize = 50_000;

    public static RouteGroupBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/credentials").WithTags("Internal").ExcludeFromDescription();
        group.MapGet("/sensors", Sensors).WithName("SensorCredentials");
        group.MapGet("/collectors", Collectors).WithName("CollectorCredentials");
        group.MapGet("/sensors/{id:long}", Sensor).WithName("SensorCredential");
        group.MapGet("/keys/{keyHash}", Key).WithName("KeyCredential");
        return group;
    }

    /// <summary>Keyset-paged by id: pass the previous page's <c>next</c> as <c>after</c> until it is null.</summary>
    static async Task<Results<Ok<SensorCredentialsPage>, ProblemHttpResult>> Sensors(
        MonitorDbContext db, CancellationToken cancellationToken, long after = 0, int limit = 10_000)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid page size",
                detail: $"limit must be between 1 and {MaxPageSize}.");
        }

        var items = await db.Sensors.AsNoTracking()
            .Where(s => s.Id > after)
            .OrderBy(s => s.Id)
            .Take(limit)
            .Select(s => new SensorCredential(s.Id, s.KeyHash, s.RetiredAt, s.Labels))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new SensorCredentialsPage(items, items.Count == limit ? items[^1].SensorId : null));
    }

    /// <summary>One sensor: how the API admits, for a collector, a sensor it has not heard of yet.</summary>
    static async Task<Results<Ok<SensorCredential>, NotFound>> Sensor(long id, MonitorDbContext db, CancellationToken cancellationToken) =>
        await db.Sensors.AsNoTracking()
            .Where(s => s.Id == id)
            .Select(s => new SensorCredential(s.Id, s.KeyHash, s.RetiredAt, s.Labels))
            .SingleOrDefaultAsync(cancellationToken) is { } sensor ? TypedResults.Ok(sensor) : TypedResults.NotFound();

    /// <summary>One key by its hash: how the API admits a key it has not heard of yet (its registry event late or lost).</summary>
    static async Task<Results<Ok<KeyCredential>, NotFound, ProblemHttpResult>> Key(
        string keyHash, MonitorDbContext db, CancellationToken cancellationToken)
    {
        if (keyHash.Length != 64 || !keyHash.All(char.IsAsciiHexDigitLower))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid key hash",
                detail: "A key hash is the key's SHA-256 as 64 lower-case hexadecimal characters.");
        }

        var sensor = await db.Sensors.AsNoTracking()
            .Where(s => s.KeyHash == keyHash)
            .Select(s => new SensorCredential(s.Id, s.KeyHash, s.RetiredAt, s.Labels))
            .SingleOrDefaultAsync(cancellationToken);
        if (sensor is not null)
        {
            return TypedResults.Ok(new KeyCredential(sensor, null));
        }

        var collector = await db.CollectorKeys.AsNoTracking()
            .Where(k => k.KeyHash == keyHash && k.RevokedAt == null)
            .Select(k => new CollectorCredential(k.Id, k.Name, k.KeyHash, k.Selector))
            .SingleOrDefaultAsync(cancellationToken);
        return collector is null ? TypedResults.NotFound() : TypedResults.Ok(new KeyCredential(null, collector));
    }

    static async Task<Ok<List<CollectorCredential>>> Collectors(MonitorDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.CollectorKeys.AsNoTracking()
            .Where(k => k.RevokedAt == null)
            .OrderBy(k => k.Id)
            .Select(k => new CollectorCredential(k.Id, k.Name, k.KeyHash, k.Selector))
            .ToListAsync(cancellationToken));
}
