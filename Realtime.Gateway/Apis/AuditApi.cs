using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Realtime.Gateway.Identity;
using Realtime.Gateway.Infrastructure;
using Realtime.Gateway.Proxy;
using Sensors360.Audit;

namespace Realtime.Gateway.Apis;

/// <summary>
/// The audit log, for Admins: the gateway's own entries (sign-ins, users, tokens) merged with the registry's, which
/// the worker keeps, and those of webhooks and alert channels, which the alerting service keeps (each at
/// <c>/internal/audit</c>), into one list, newest first.
/// </summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).WithName("AuditLog")
            .WithSummary("Operators' actions, newest first: filter by actor, action (a name, or a kind ending in '.'), target, from/to; page with 'before'.");
        return group;
    }

    static async Task<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>> List(
        GatewayDbContext db, ServiceAudit services, CancellationToken cancellationToken, string? actor = null, string? action = null,
        string? target = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? before = null, int? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (AuditQuery.Parse(actor, action, target, from, to, before, limit, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, detail: "The audit query is invalid.");
        }
        var own = await query.Apply(db.AuditEntries.AsNoTracking()).ToListAsync(cancellationToken);
        var parts = await Task.WhenAll(ProxyRoutes.Services.Select(s => services.ReadAsync(s.Cluster, query, cancellationToken)));
        if (ProxyRoutes.Services.Where((_, i) => parts[i] is null).Select(s => s.Cluster).ToList() is { Count: > 0 } silent)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit log unavailable",
                detail: $"The {string.Join(" and ", silent)} service, which keeps a part of the audit log, did not answer; try again shortly.");
        }
        return TypedResults.Ok(query.Merge([own.Select(AuditEntryView.Of), .. parts.Select(p => p!)]));
    }

    /// <summary>Records an action of the gateway's own, in the caller's transaction when there is one.</summary>
    public static async Task RecordAsync(this GatewayDbContext db, AuditEntry entry, CancellationToken cancellationToken)
    {
        db.AuditEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>A service's part of the audit log for a query; null when it cannot be asked.</summary>
public sealed class ServiceAudit(IHttpClientFactory clients, ILogger<ServiceAudit> logger)
{
    public async Task<List<AuditEntryView>?> ReadAsync(string cluster, AuditQuery query, CancellationToken cancellationToken)
    {
        try
        {
            return await clients.CreateClient(ProxyRoutes.ClientName(cluster))
                .GetFromJsonAsync<List<AuditEntryView>>("/internal/audit?" + query.ToQueryString(), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException
                                   || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The {Service} service's audit entries are unavailable", cluster);
            return null;
        }
    }
}
