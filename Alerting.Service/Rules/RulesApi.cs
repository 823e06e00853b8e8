using Alerting.Service.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sensors360.Audit;
using Sensors360.Contracts;
using Sensors360.Storage;

namespace Alerting.Service.Rules;

/// <param name="Events">Target states and/or "at-risk"; none: every state change.</param>
/// <param name="Labels">The label selector: sensors that have all of these; none: every sensor.</param>
/// <param name="GroupWindowSeconds">How long the first alert waits for others to go out with it (default 60).</param>
public sealed record CreateRuleRequest(string? Name, string[]? Events, Dictionary<string, string>? Labels, long[]? ChannelIds, int? GroupWindowSeconds);

public sealed record AlertRuleView(
    long Id, string Name, string[] Events, Dictionary<string, string> Labels, long[] ChannelIds, int GroupWindowSeconds, DateTimeOffset CreatedAt);

/// <summary>Rules that route events by kind and label selector to alert channels (Admin, through the gateway).</summary>
public static class RulesApi
{
    public const int DefaultGroupWindowSeconds = 60;

    public static RouteGroupBuilder MapRulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alerts/rules").WithTags("Alerts");
        group.MapGet("/", List).WithName("ListAlertRules").WithSummary("Alert rules, in the order they are applied.");
        group.MapPost("/", Create).WithName("CreateAlertRule").WithSummary("Adds a rule routing events by kind and label selector to channels.");
        group.MapDelete("/{id:long}", Delete).WithName("DeleteAlertRule").WithSummary("Deletes a rule; alerts already waiting still go out.");
        return group;
    }

    static async Task<Ok<AlertRuleView[]>> List(AlertingDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.Rules.AsNoTracking().OrderBy(r => r.Id).ToListAsync(cancellationToken)).Select(View).ToArray());

    static async Task<Results<Created<AlertRuleView>, ValidationProblem>> Create(
        CreateRuleRequest request, AlertingDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > AlertRule.MaxNameLength)
        {
            errors["name"] = [$"A name of 1 to {AlertRule.MaxNameLength} characters is required, e.g. \"Plant A down\"."];
        }
        else if (await db.Rules.AnyAsync(r => r.Name == name, cancellationToken))
        {
            errors["name"] = [$"There is already a rule named '{name}'."];
        }
        var events = AlertEvents.Validate(errors, request.Events);
        // As given, untrimmed: a selector names labels exactly as sensors carry them.
        var labels = request.Labels ?? [];
        SensorLabels.Validate(errors, "labels", labels);
        var channelIds = (request.ChannelIds ?? []).Distinct().ToArray();
        var known = await db.Channels.Where(c => channelIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken);
        if (channelIds.Length == 0)
        {
            errors["channelIds"] = ["Name at least one channel to send to (GET /api/alerts/channels lists them)."];
        }
        else if (channelIds.Except(known).ToArray() is { Length: > 0 } unknown)
        {
            errors["channelIds"] = [$"There is no alert channel with id {string.Join(", ", unknown)}."];
        }
        var window = request.GroupWindowSeconds ?? DefaultGroupWindowSeconds;
        if (window is < 0 or > AlertRule.MaxGroupWindowSeconds)
        {
            errors["groupWindowSeconds"] = [$"{window} is out of range: give 0 (send at once) to {AlertRule.MaxGroupWindowSeconds} seconds."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The alert rule was not created.");
        }

        var now = clock.GetUtcNow();
        AlertRule rule;
        try
        {
            rule = await db.InTransactionAsync(async ct =>
            {
                var added = new AlertRule { Name = name!, Events = events, Labels = labels, ChannelIds = channelIds, GroupWindowSeconds = window, CreatedAt = now };
                db.Rules.Add(added);
                await db.SaveChangesAsync(ct);
                db.AuditEntries.Add(context.AuditEntry(now, AuditActions.AlertRuleCreate, $"alert rule {added.Id}",
                    new { added.Name, added.Events, added.Labels, added.ChannelIds, added.GroupWindowSeconds }));
                await db.SaveChangesAsync(ct);
                return added;
            }, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another Admin took the name between the check above and this insert.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"There is already a rule named '{name}'."] },
                detail: "The alert rule was not created.");
        }
        return TypedResults.Created($"/api/alerts/rules/{rule.Id}", View(rule));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, AlertingDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (await db.Rules.FindAsync([id], cancellationToken) is not { } rule)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Alert rule not found", detail: $"There is no alert rule with id {id}.");
        }
        db.Rules.Remove(rule);
        db.AuditEntries.Add(context.AuditEntry(clock.GetUtcNow(), AuditActions.AlertRuleDelete, $"alert rule {id}",
            new { rule.Name, rule.Events, rule.Labels, rule.ChannelIds }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    static AlertRuleView View(AlertRule r) => new(r.Id, r.Name, r.Events, r.Labels, r.ChannelIds, r.GroupWindowSeconds, r.CreatedAt);
}
