using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sensors360.Audit;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Audit;

/// <summary>
/// The registry's audit entries, for the gateway, which merges them with its own into <c>GET /api/audit</c>
/// (internal: the gateway never routes <c>/internal</c>).
/// </summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/audit").WithTags("Audit");
        group.MapGet("/", List).WithName("RegistryAuditEntries")
            .WithSummary("The registry's audit entries matching the filters, newest first, up to limit + 1.");
        return group;
    }

    static async Task<Results<Ok<List<AuditEntryView>>, ValidationProblem>> List(
        MonitorDbContext db, CancellationToken cancellationToken, string? actor = null, string? action = null, string? target = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, string? before = null, int? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (AuditQuery.Parse(actor, action, target, from, to, before, limit, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, detail: "The audit query is invalid.");
        }
        var entries = await query.Apply(db.AuditEntries.AsNoTracking()).ToListAsync(cancellationToken);
        return TypedResults.Ok(entries.Select(AuditEntryView.Of).ToList());
    }
}
