using System.Net;
using Microsoft.Extensions.Options;

namespace Sensors360.Simulator.Api;

/// <summary>Sends one heartbeat and says how the ingestion API answered. Never throws except on cancellation.</summary>
public sealed class HeartbeatClient(IHttpClientFactory httpClientFactory, IOptions<SimulatorOptions> options, TimeProvider time) : IHeartbeatSender
{
    /// <summary>
    /// The named HttpClient. It has no resilience handler: 429 and 503 are the simulator's to honour per sensor,
    /// and a handler retrying them would hold a concurrency slot and send stale timestamps.
    /// </summary>
    public const string HttpClientName = "ingestion";

    private readonly Uri _ingestion = new(options.Value.IngestionUrl);
    private readonly bool _legacy = options.Value.Legacy;

    public async Task<HeartbeatOutcome> SendAsync(long sensorId, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var request = HeartbeatRequests.Create(_ingestion, sensorId, key, now, _legacy);
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            return await ToOutcomeAsync(response, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // "An error occurred while sending the request." says little; the inner exception says what.
            var detail = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
            return new HeartbeatOutcome(HeartbeatResult.Failed, null, Detail: detail);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HeartbeatOutcome(HeartbeatResult.Failed, null, Detail: "The request timed out.");
        }
    }

    private async Task<HeartbeatOutcome> ToOutcomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return new HeartbeatOutcome(HeartbeatResult.Accepted, status);
        }

        var result = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => HeartbeatResult.UnknownKey,
            HttpStatusCode.Forbidden => HeartbeatResult.Forbidden,
            HttpStatusCode.TooManyRequests => HeartbeatResult.RateLimited,
            HttpStatusCode.ServiceUnavailable => HeartbeatResult.Unavailable,
            _ => HeartbeatResult.Rejected,
        };
        return new HeartbeatOutcome(result, status, RetryAfter(response), await ProblemText.ReadAsync(response, cancellationToken));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
