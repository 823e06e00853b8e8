using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Monitor.Worker.Storage;
using Sensors360.Storage;
using Sensors360.Audit;
using Sensors360.Contracts;
using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Registry;

public sealed record CreateCollectorKeyRequest(string? Name, Dictionary<string, string>? Selector);

/// <summary>The key is in this response and nowhere else.</summary>
public sealed record CollectorKeyCreatedResponse(long Id, string Name, IReadOnlyDictionary<string, string> Selector, string Key);

public sealed record CollectorKeySummary(long Id, string Name, IReadOnlyDictionary<string, string> Selector, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Keys for edge collectors that forward many sensors' heartbeats (Admin, through the gateway).</summary>
public static class CollectorKeysApi
{
    public const int MaxNameLength = 200;

    public static RouteGroupBuilder MapCollectorKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/collector-keys").WithTags("Collector keys");
        group.MapGet("/", List).WithName("ListCollectorKeys").WithSummary("Lists collector keys (never the keys themselves).");
        group.MapPost("/", Create).WithName("CreateCollectorKey")
            .WithSummary("Creates a key that authorises every sensor, or those whose labels contain every selector pair; returns it once.");
        group.MapDelete("/{id:long}", Revoke).WithName("RevokeCollectorKey").WithSummary("Revokes a collector key; it stops working at once.");
        return group;
    }

    static async Task<Ok<CollectorKeySummary[]>> List(MonitorDbContext db, CancellationToken cancellationToken)
    {
        var keys = await db.CollectorKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.Select(Summary).ToArray());
    }

    static async Task<Results<Created<CollectorKeyCreatedResponse>, ValidationProblem>> Create(
        CreateCollectorKeyRequest request, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"A name of 1 to {MaxNameLength} characters without control characters is required."];
        }
        SensorLabels.Validate(errors, "selector", request.Selector);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The collector key was not created.");
        }

        var key = ApiKeys.NewCollectorKey();
        var now = clock.GetUtcNow();
        var collector = await db.InTransactionAsync(async ct =>
        {
            var added = new CollectorKey { Name = name!, Selector = request.Selector ?? [], KeyHash = ApiKeys.Hash(key), CreatedAt = now };
            db.CollectorKeys.Add(added);
            await db.SaveChangesAsync(ct);
            db.AuditEntries.Add(context.AuditEntry(now, AuditActions.CollectorKeyCreate, $"collector-key {added.Id}", new { added.Name, added.Selector }));
            await db.SaveChangesAsync(ct);
            return added;
        }, cancellationToken);
        await bus.Publish(
            new CollectorKeyCreated(collector.Id, collector.Name, collector.Selector, collector.KeyHash, collector.CreatedAt), cancellationToken);
        return TypedResults.Created(
            $"/api/collector-keys/{collector.Id}", new CollectorKeyCreatedResponse(collector.Id, collector.Name, collector.Selector, key));
    }

    static async Task<Results<Ok<CollectorKeySummary>, ProblemHttpResult>> Revoke(
        long id, MonitorDbContext db, IPublishEndpoint bus, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var collector = await db.CollectorKeys.FindAsync([id], cancellationToken);
        if (collector is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Collector key not found",
                detail: $"There is no collector key with id {id}.");
        }

        if (collector.RevokedAt is null)
        {
            collector.RevokedAt = clock.GetUtcNow();
            db.AuditEntries.Add(context.AuditEntry(collector.RevokedAt.Value, AuditActions.CollectorKeyRevoke, $"collector-key {id}", new { collector.Name }));
            await db.SaveChangesAsync(cancellationToken);
            await bus.Publish(new CollectorKeyRevoked(id, collector.RevokedAt.Value), cancellationToken);
        }
        return TypedResults.Ok(Summary(collector));
    }

    static CollectorKeySummary Summary(CollectorKey k) => new(k.Id, k.Name, k.Selector, k.CreatedAt, k.RevokedAt);
}
