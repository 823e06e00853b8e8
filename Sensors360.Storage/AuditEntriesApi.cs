using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sensors360.Audit;

namespace Sensors360.Storage;

/// <summary>
/// A service's own part of the audit log, for the gateway, which merges the parts into <c>GET /api/audit</c>
/// (internal: the gateway never routes <c>/internal</c>).
/// </summary>
public static class AuditEntriesApi
{
    public const string Path = "/internal/audit";

    public static RouteGroupBuilder MapAuditEntriesApi<TContext>(this IEndpointRouteBuilder app, string part) where TContext : DbContext
    {
        var group = app.MapGroup(Path).WithTags("Audit");
        // The context is resolved here, not bound as a parameter: the route analyzer fails on a generic parameter type.
        group.MapGet("/", (HttpContext http, CancellationToken cancellationToken, string? actor = null, string? action = null,
                string? target = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? before = null, int? limit = null) =>
                ListAsync(http.RequestServices.GetRequiredService<TContext>().Set<AuditEntry>(), cancellationToken,
                    actor, action, target, from, to, before, limit))
            .WithName("AuditEntries")
            .WithSummary($"The {part}'s audit entries matching the filters, newest first, up to limit + 1.");
        return group;
    }

    static async Task<Results<Ok<List<AuditEntryView>>, ValidationProblem>> ListAsync(
        IQueryable<AuditEntry> entries, CancellationToken cancellationToken, string? actor, string? action, string? target,
        DateTimeOffset? from, DateTimeOffset? to, string? before, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (AuditQuery.Parse(actor, action, target, from, to, before, limit, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, detail: "The audit query is invalid.");
        }
        var found = await query.Apply(entries.AsNoTracking()).ToListAsync(cancellationToken);
        return TypedResults.Ok(found.Select(AuditEntryView.Of).ToList());
    }
}
