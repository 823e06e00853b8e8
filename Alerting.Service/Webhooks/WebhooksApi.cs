using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sensors360.Storage;
using Sensors360.Audit;
using Alerting.Service.Storage;

namespace Alerting.Service.Webhooks;

/// <param name="Events">
/// Target states to deliver ("new", "up", "late", "down", "retired") and/or "at-risk" (failure predictions); null or
/// empty: every state change (at-risk only when asked for).
/// </param>
public sealed record CreateWebhookRequest(string? Url, string[]? Events);

/// <summary>The secret is in this response and nowhere else.</summary>
public sealed record WebhookCreatedResponse(long Id, string Url, string[] Events, string Secret, DateTimeOffset CreatedAt);

public sealed record WebhookSummary(
    long Id, string Url, string[] Events, DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError, DateTimeOffset? LastSuccessAt,
    long DeliveriesSucceeded, long DeliveriesFailed);

/// <summary>Webhook targets for sensor state transitions and at-risk predictions (Admin, through the gateway).</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webhooks").WithTags("Webhooks");
        group.MapGet("/", List).WithName("ListWebhooks").WithSummary("Lists webhooks with their latest delivery status (never the secrets).");
        group.MapGet("/{id:long}", Get).WithName("GetWebhook").WithSummary("A webhook and its latest delivery status.");
        group.MapPost("/", Create).WithName("CreateWebhook")
            .WithSummary("Registers a target for state transitions and/or at-risk predictions; returns its signing secret, once.");
        group.MapDelete("/{id:long}", Delete).WithName("DeleteWebhook").WithSummary("Deletes a webhook; no new deliveries start.");
        return group;
    }

    static async Task<Ok<WebhookSummary[]>> List(AlertingDbContext db, CancellationToken cancellationToken)
    {
        var webhooks = await db.Webhooks.AsNoTracking().OrderBy(w => w.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(webhooks.Select(Summary).ToArray());
    }

    static async Task<Results<Ok<WebhookSummary>, ProblemHttpResult>> Get(long id, AlertingDbContext db, CancellationToken cancellationToken) =>
        await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken) is { } webhook
            ? TypedResults.Ok(Summary(webhook))
            : NotFound(id);

    static async Task<Results<Created<WebhookCreatedResponse>, ValidationProblem>> Create(
        CreateWebhookRequest request, AlertingDbContext db, IOptions<WebhookOptions> options, TimeProvider clock, HttpContext context,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var url = ValidateUrl(errors, request.Url, options.Value);
        var events = AlertEvents.Validate(errors, request.Events);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The webhook was not created.");
        }

        var secret = WebhookSigning.NewSecret();
        var now = clock.GetUtcNow();
        var webhook = await db.InTransactionAsync(async ct =>
        {
            var added = new Webhook { Url = url!, Events = events, Secret = secret, CreatedAt = now };
            db.Webhooks.Add(added);
            await db.SaveChangesAsync(ct);
            db.AuditEntries.Add(context.AuditEntry(now, AuditActions.WebhookCreate, $"webhook {added.Id}", new { added.Url, added.Events }));
            await db.SaveChangesAsync(ct);
            return added;
        }, cancellationToken);
        return TypedResults.Created($"/api/webhooks/{webhook.Id}",
            new WebhookCreatedResponse(webhook.Id, webhook.Url, webhook.Events, webhook.Secret, webhook.CreatedAt));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, AlertingDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var webhook = await db.Webhooks.FindAsync([id], cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        db.Webhooks.Remove(webhook);
        db.AuditEntries.Add(context.AuditEntry(clock.GetUtcNow(), AuditActions.WebhookDelete, $"webhook {id}", new { webhook.Url, webhook.Events }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>An https:// (or, when allowed, http://) URL outside the refused networks, as webhooks and chat channels need.</summary>
    internal static string? ValidateUrl(Dictionary<string, string[]> errors, string? text, WebhookOptions options)
    {
        var allowHttp = options.AllowHttp;
        var allowed = allowHttp ? "https:// or http://" : "https://";
        text = text?.Trim();
        string? error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = $"A URL is required, e.g. https://example.com/hooks/sensors360.";
        }
        else if (text.Length > Webhook.MaxUrlLength)
        {
            error = $"The URL has {text.Length} characters; at most {Webhook.MaxUrlLength} are allowed.";
        }
        // On Unix a path such as "/hooks" parses as an absolute file:// URI, hence IsFile.
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            error = $"'{text}' is not an absolute URL; give the full address starting with {allowed}.";
        }
        else if (uri.Scheme != Uri.UriSchemeHttps && !(allowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            error = uri.Scheme == Uri.UriSchemeHttp
                ? "http:// is refused: deliveries carry sensor data and must be encrypted; use https:// " +
                  "(Alerting:Webhooks:AllowHttp=true allows http:// for local receivers in development)."
                : $"The scheme '{uri.Scheme}' is not supported; use {allowed}.";
        }
        else if (uri.UserInfo.Length > 0)
        {
            error = "Remove the user name and password from the URL: anyone who can list webhooks would see them. " +
                    "Verify the X-Sensors360-Signature header instead.";
        }
        // A literal address is refused here already; a host name is checked when each delivery connects.
        else if (IPAddress.TryParse(uri.IdnHost, out var address) && !WebhookNetworks.From(options).Allows(address))
        {
            error = WebhookNetworks.RefusalReason(uri.Host, [address]);
        }
        else
        {
            return uri.AbsoluteUri;
        }
        errors["url"] = [error];
        return null;
    }

    static WebhookSummary Summary(Webhook w) => new(w.Id, w.Url, w.Events, w.CreatedAt,
        w.LastAttemptAt, w.LastStatusCode, w.LastError, w.LastSuccessAt, w.DeliveriesSucceeded, w.DeliveriesFailed);

    static ProblemHttpResult NotFound(long id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Webhook not found", detail: $"There is no webhook with id {id}.");
}
