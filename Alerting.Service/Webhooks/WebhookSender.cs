using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly.Registry;
using Sensors360.Contracts;
using Sensors360.Messaging;
using Alerting.Service.Storage;

namespace Alerting.Service.Webhooks;

public sealed record WebhookTarget(long Id, string Url, string Secret);

/// <summary>What one attempt got: a status code, or an error when no answer came.</summary>
public sealed record DeliveryAttempt(DateTimeOffset At, int? StatusCode, string? Error, bool Retryable)
{
    public bool Succeeded => StatusCode is { } status && DeliveryAnswers.Succeeded(status);
}

// The public payloads, deliberately separate from the bus contracts so the two can evolve apart.
public sealed record StateChangedData(long SensorId, string Tag, string From, string To, DateTimeOffset At, DateTimeOffset? LastHeartbeatAt);

public sealed record SensorAtRiskData(
    long SensorId, string Tag, DateTimeOffset At, double Risk7d, double Risk30d,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<string> Reasons);

public sealed record WebhookPayload<TData>(string Type, Guid DeliveryId, TData Data);

/// <summary>
/// Delivers one event (a state change, a sensor at risk) to one target: signs it, POSTs it, retries through the <see cref="PipelineName"/>
/// pipeline, and records each attempt on the webhook's row. Never throws for the receiver's faults, only when
/// <c>cancellationToken</c> is cancelled.
/// </summary>
public sealed class WebhookSender(
    IHttpClientFactory httpClients,
    ResiliencePipelineProvider<string> pipelines,
    IServiceScopeFactory scopes,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    AlertingMetrics metrics,
    ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "webhooks";
    public const string PipelineName = "webhook-delivery";
    public const string StateChangedType = "stateChanged";
    public const string SensorAtRiskType = "sensorAtRisk";

    public const string EventHeader = "X-Sensors360-Event";
    public const string DeliveryHeader = "X-Sensors360-Delivery";
    public const string TimestampHeader = "X-Sensors360-Timestamp";
    public const string SignatureHeader = "X-Sensors360-Signature";

    public Task DeliverAsync(WebhookTarget target, Guid deliveryId, SensorStateChanged change, CancellationToken cancellationToken) =>
        DeliverAsync(target, StateChangedType, deliveryId,
            new StateChangedData(change.SensorId, change.Tag, change.From, change.To, change.At, change.LastHeartbeatAt),
            cancellationToken);

    public Task DeliverAsync(WebhookTarget target, Guid deliveryId, SensorAtRisk atRisk, CancellationToken cancellationToken) =>
        DeliverAsync(target, SensorAtRiskType, deliveryId,
            new SensorAtRiskData(atRisk.SensorId, atRisk.Tag, atRisk.At, atRisk.Risk7d, atRisk.Risk30d,
                atRisk.WindowStart, atRisk.WindowEnd, atRisk.Reasons),
            cancellationToken);

    readonly RecentMessageIds _delivered = new();

    /// <summary>
    /// Delivers one consumed message to each of <paramref name="webhooks"/>, each target on its own task: a slow or
    /// failing receiver holds up only its own deliveries. An event the outbox published twice is delivered once (and a
    /// message redelivered after a crash carries the same delivery ids, so receivers can drop what repeats). It counts
    /// as delivered only once every target was tried: a message retried because the lookup failed is not dropped.
    /// </summary>
    public async Task DeliverToAllAsync(
        IQueryable<Webhook> webhooks, Guid? messageId, Func<WebhookTarget, Guid, Task> deliver, CancellationToken cancellationToken)
    {
        if (_delivered.Seen(messageId))
        {
            return;
        }
        var targets = await webhooks.AsNoTracking()
            .OrderBy(w => w.Id)
            .Select(w => new WebhookTarget(w.Id, w.Url, w.Secret))
            .ToListAsync(cancellationToken);
        await DeliverToAllAsync(targets, messageId, deliver);
    }

    /// <summary>Delivers one event, identified by <paramref name="eventId"/>, to targets already read.</summary>
    public async Task DeliverToAllAsync(IReadOnlyList<WebhookTarget> targets, Guid? eventId, Func<WebhookTarget, Guid, Task> deliver)
    {
        if (_delivered.Seen(eventId))
        {
            return;
        }
        var id = eventId ?? MassTransit.NewId.NextGuid();
        await Task.WhenAll(targets.Select(target => deliver(target, DeliveryId(id, target.Id))));
        _delivered.Remember(eventId);
    }

    async Task DeliverAsync<TData>(WebhookTarget target, string eventType, Guid deliveryId, TData data, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new WebhookPayload<TData>(eventType, deliveryId, data), JsonSerializerOptions.Web);
        var attempts = 0;

        var outcome = await pipelines.GetPipeline<DeliveryAttempt>(PipelineName).ExecuteAsync(async token =>
        {
            attempts++;
            var attempt = await SendAsync(target, eventType, deliveryId, body, token);
            var last = attempt.Succeeded || !attempt.Retryable || attempts >= options.Value.MaxAttempts;
            await RecordAsync(target.Id, attempt, last, token);
            return attempt;
        }, cancellationToken);

        metrics.AlertsSent("webhook", outcome.Succeeded);
        if (outcome.Succeeded)
        {
            logger.LogDebug("Webhook {WebhookId} got delivery {DeliveryId} after {Attempts} attempt(s)", target.Id, deliveryId, attempts);
        }
        else
        {
            logger.LogWarning("Webhook {WebhookId}: delivery {DeliveryId} given up after {Attempts} attempt(s): {Error}",
                target.Id, deliveryId, attempts, outcome.Error);
        }
    }

    /// <summary>
    /// Derived, not random: a message redelivered after a crash or shutdown mid-delivery is sent again under the same
    /// delivery ids, so receivers can drop the duplicates.
    /// </summary>
    public static Guid DeliveryId(Guid messageId, long webhookId)
    {
        Span<byte> input = stackalloc byte[24];
        messageId.TryWriteBytes(input);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], webhookId);
        return new Guid(SHA256.HashData(input)[..16]);
    }

    async Task<DeliveryAttempt> SendAsync(WebhookTarget target, string eventType, Guid deliveryId, byte[] body, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow();
        var timestamp = at.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json", "utf-8");
        request.Headers.Add(EventHeader, eventType);
        request.Headers.Add(DeliveryHeader, deliveryId.ToString());
        request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, WebhookSigning.Sign(target.Secret, timestamp, body));

        var timeout = options.Value.Timeout;
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(timeout);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCancellation.Token);
            var status = (int)response.StatusCode;
            return DeliveryAnswers.Succeeded(status)
                ? new(at, status, null, Retryable: false)
                : new(at, status, Describe(response), DeliveryAnswers.Retryable(status));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(at, null, $"No response within {timeout.TotalSeconds:0.###} s.", Retryable: true);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException refused)
        {
            // The address, not the receiver, is at fault: another attempt would be refused the same way.
            return new(at, null, DeliveryAnswers.Shorten("Not sent: " + refused.Message), Retryable: false);
        }
        catch (HttpRequestException ex)
        {
            return new(at, null, DeliveryAnswers.Shorten(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message), Retryable: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Thrown, it would fail the whole message and re-send it to every other target as well.
            logger.LogError(ex, "Webhook {WebhookId}: delivery {DeliveryId} could not be sent", target.Id, deliveryId);
            return new(at, null, DeliveryAnswers.Shorten(ex.Message), Retryable: false);
        }
    }

    static string Describe(HttpResponseMessage response)
    {
        var text = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        return DeliveryAnswers.Shorten(response.Headers.Location is { } location && (int)response.StatusCode is >= 300 and <= 399
            ? $"{text}: redirects are not followed (Location: {location})"
            : text);
    }

    async Task RecordAsync(long webhookId, DeliveryAttempt attempt, bool last, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AlertingDbContext>();
            await db.Webhooks.Where(w => w.Id == webhookId).ExecuteUpdateAsync(set =>
            {
                set.SetProperty(w => w.LastAttemptAt, attempt.At)
                    .SetProperty(w => w.LastStatusCode, attempt.StatusCode)
                    .SetProperty(w => w.LastError, attempt.Error);
                if (attempt.Succeeded)
                {
                    set.SetProperty(w => w.LastSuccessAt, attempt.At)
                        .SetProperty(w => w.DeliveriesSucceeded, w => w.DeliveriesSucceeded + 1);
                }
                else if (last)
                {
                    set.SetProperty(w => w.DeliveriesFailed, w => w.DeliveriesFailed + 1);
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The status is a report, not part of the delivery: losing one update must not re-send to anyone.
            logger.LogWarning(ex, "Could not record a delivery attempt for webhook {WebhookId}", webhookId);
        }
    }
}
