using Alerting.Service.Delivery;
using Alerting.Service.Storage;
using Alerting.Service.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Sensors360.Audit;
using Sensors360.Storage;

namespace Alerting.Service.Channels;

/// <param name="Kind">email, slack or teams.</param>
/// <param name="Url">A Slack- or Teams-compatible incoming-webhook URL (chat kinds).</param>
/// <param name="Recipients">Email addresses (email).</param>
public sealed record CreateChannelRequest(string? Name, string? Kind, string? Url, string[]? Recipients);

/// <param name="Target">Email: the recipients; chat: the URL's scheme and host only (the rest authorises posting).</param>
/// <param name="Pending">Alerts waiting to go out to it.</param>
public sealed record AlertChannelView(
    long Id, string Name, string Kind, string Target, DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, string? LastError,
    long DeliveriesSucceeded, long DeliveriesFailed, int Pending);

/// <summary>Email and chat channels that alert rules send to (Admin, through the gateway).</summary>
public static class ChannelsApi
{
    public static RouteGroupBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alerts/channels").WithTags("Alerts");
        group.MapGet("/", List).WithName("ListAlertChannels").WithSummary("Alert channels with their latest delivery status (chat URLs by host only).");
        group.MapPost("/", Create).WithName("CreateAlertChannel").WithSummary("Adds an email, Slack-compatible or Teams-compatible channel.");
        group.MapDelete("/{id:long}", Delete).WithName("DeleteAlertChannel").WithSummary("Deletes a channel no rule sends to; what waits for it is dropped.");
        group.MapPost("/{id:long}/test", Test).WithName("TestAlertChannel").WithSummary("Sends a test message to the channel now.");
        return group;
    }

    static async Task<Ok<AlertChannelView[]>> List(AlertingDbContext db, CancellationToken cancellationToken)
    {
        var channels = await db.Channels.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new { Channel = c, Pending = db.PendingAlerts.Count(a => a.ChannelId == c.Id) })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(channels.Select(c => View(c.Channel, c.Pending)).ToArray());
    }

    static async Task<Results<Created<AlertChannelView>, ValidationProblem>> Create(
        CreateChannelRequest request, AlertingDbContext db, IOptions<WebhookOptions> webhooks, IOptions<SmtpOptions> smtp,
        TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > AlertChannel.MaxNameLength)
        {
            errors["name"] = [$"A name of 1 to {AlertChannel.MaxNameLength} characters is required, e.g. \"On-call email\"."];
        }
        else if (await db.Channels.AnyAsync(c => c.Name == name, cancellationToken))
        {
            errors["name"] = [$"There is already a channel named '{name}'."];
        }
        var kind = request.Kind?.Trim().ToLowerInvariant();
        string? url = null;
        string[] recipients = [];
        if (kind == ChannelKinds.Email)
        {
            recipients = ValidateRecipients(errors, request.Recipients, smtp.Value);
        }
        else if (kind is ChannelKinds.Slack or ChannelKinds.Teams)
        {
            url = WebhooksApi.ValidateUrl(errors, request.Url, webhooks.Value);
        }
        else
        {
            errors["kind"] = [$"'{request.Kind}' is not a kind of channel; use {string.Join(", ", ChannelKinds.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The alert channel was not created.");
        }

        var now = clock.GetUtcNow();
        AlertChannel channel;
        try
        {
            channel = await db.InTransactionAsync(async ct =>
            {
                var added = new AlertChannel { Name = name!, Kind = kind!, Url = url, Recipients = recipients, CreatedAt = now };
                db.Channels.Add(added);
                await db.SaveChangesAsync(ct);
                db.AuditEntries.Add(context.AuditEntry(now, AuditActions.AlertChannelCreate, $"alert channel {added.Id}",
                    new { added.Name, added.Kind, Target = Target(added) }));
                await db.SaveChangesAsync(ct);
                return added;
            }, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another Admin took the name between the check above and this insert.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"There is already a channel named '{name}'."] },
                detail: "The alert channel was not created.");
        }
        return TypedResults.Created($"/api/alerts/channels/{channel.Id}", View(channel, 0));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, AlertingDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.FindAsync([id], cancellationToken);
        if (channel is null)
        {
            return NotFound(id);
        }
        var rules = await db.Rules.Where(r => r.ChannelIds.Contains(id)).OrderBy(r => r.Name).Select(r => r.Name).ToListAsync(cancellationToken);
        if (rules.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Channel in use",
                detail: $"The rule(s) {string.Join(", ", rules.Select(r => $"'{r}'"))} send to '{channel.Name}'; delete them or remove it from them first.");
        }
        db.Channels.Remove(channel);
        db.AuditEntries.Add(context.AuditEntry(clock.GetUtcNow(), AuditActions.AlertChannelDelete, $"alert channel {id}",
            new { channel.Name, channel.Kind, Target = Target(channel) }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    static async Task<Results<Accepted, ProblemHttpResult>> Test(
        long id, AlertingDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (await db.Channels.FindAsync([id], cancellationToken) is not { } channel)
        {
            return NotFound(id);
        }
        var now = clock.GetUtcNow();
        var entry = context.AuditEntry(now, AuditActions.AlertChannelTest, $"alert channel {id}", new { channel.Name });
        db.PendingAlerts.Add(new PendingAlert
        {
            ChannelId = id, EventId = entry.Id, Event = AlertEvents.Test, At = now, DueAt = now, Detail = $"asked for by {entry.Actor}",
        });
        db.AuditEntries.Add(entry);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.ForeignKeyViolation })
        {
            return NotFound(id); // deleted meanwhile
        }
        return TypedResults.Accepted($"/api/alerts/deliveries?channelId={id}");
    }

    static string[] ValidateRecipients(Dictionary<string, string[]> errors, string[]? given, SmtpOptions smtp)
    {
        if (!smtp.Configured)
        {
            errors["kind"] = ["Email channels need an SMTP server, and none is configured: set Alerting:Smtp:Host (and From) for the alerting service."];
            return [];
        }
        var recipients = (given ?? []).Select(r => r?.Trim() ?? "").Where(r => r.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var invalid = recipients.Where(r => !MailboxAddress.TryParse(r, out var address) || !address.Address.Contains('@')).ToArray();
        if (recipients.Length == 0)
        {
            errors["recipients"] = ["At least one email address is required, e.g. oncall@example.com."];
        }
        else if (invalid.Length > 0)
        {
            errors["recipients"] = [$"Not an email address: {string.Join(", ", invalid.Select(r => $"'{r}'"))}."];
        }
        else if (recipients.Length > AlertChannel.MaxRecipients)
        {
            errors["recipients"] = [$"{recipients.Length} recipients; at most {AlertChannel.MaxRecipients} (use a distribution list for more)."];
        }
        return recipients;
    }

    static string Target(AlertChannel channel) => channel.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        ? $"{uri.Scheme}://{uri.Authority}/…"
        : string.Join(", ", channel.Recipients);

    static AlertChannelView View(AlertChannel c, int pending) => new(c.Id, c.Name, c.Kind, Target(c), c.CreatedAt,
        c.LastAttemptAt, c.LastSuccessAt, c.LastError, c.DeliveriesSucceeded, c.DeliveriesFailed, pending);

    static ProblemHttpResult NotFound(long id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Alert channel not found", detail: $"There is no alert channel with id {id}.");
}
