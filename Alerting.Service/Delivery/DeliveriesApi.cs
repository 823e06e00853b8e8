using Alerting.Service.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Alerting.Service.Delivery;

public sealed record AlertDeliveryView(
    long Id, long ChannelId, string ChannelName, string Kind, DateTimeOffset At, bool Succeeded, int Attempts, int Alerts,
    string Subject, string? Error);

/// <summary>The history of messages sent to alert channels, newest first, so failures are seen (Admin).</summary>
public static class DeliveriesApi
{
    const int DefaultLimit = 50;
    const int MaxLimit = 500;

    public static RouteGroupBuilder MapDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alerts/deliveries").WithTags("Alerts");
        group.MapGet("/", List).WithName("ListAlertDeliveries")
            .WithSummary("Messages delivered to or given up on alert channels, newest first; failed=true for failures only.");
        return group;
    }

    static async Task<Results<Ok<AlertDeliveryView[]>, ValidationProblem>> List(
        AlertingDbContext db, CancellationToken cancellationToken, bool? failed = null, long? channelId = null, int? limit = null)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Give 1 to {MaxLimit}."] },
                detail: "The delivery query is invalid.");
        }
        var deliveries = db.Deliveries.AsNoTracking();
        if (failed is { } onlyFailed)
        {
            deliveries = deliveries.Where(d => d.Succeeded != onlyFailed);
        }
        if (channelId is { } id)
        {
            deliveries = deliveries.Where(d => d.ChannelId == id);
        }
        var views = await (
                from d in deliveries
                join c in db.Channels on d.ChannelId equals c.Id
                orderby d.At descending, d.Id descending
                select new AlertDeliveryView(d.Id, d.ChannelId, c.Name, c.Kind, d.At, d.Succeeded, d.Attempts, d.Alerts, d.Subject, d.Error))
            .Take(limit ?? DefaultLimit).ToArrayAsync(cancellationToken);
        return TypedResults.Ok(views);
    }
}
