using System.Threading.RateLimiting;
using Ingestion.Api.Apis;
using Ingestion.Api.Credentials;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ingestion.Api.Admission;

/// <summary>
/// One token bucket per key: <see cref="IngestionOptions.SensorKeyRateLimit"/> for a sensor key,
/// <see cref="IngestionOptions.CollectorKeyRateLimit"/> for a collector key. Runs after authorization, so it
/// partitions by the key the authentication handler identified.
/// </summary>
public sealed partial class KeyRateLimitPolicy : IRateLimiterPolicy<(KeyDigest Digest, bool Collector)>
{
    public const string Name = "per-key";

    readonly IngestionOptions _options;
    readonly ILogger<KeyRateLimitPolicy> _logger;
    // One delegate for every partition, so finding a key's bucket allocates nothing but the key's box.
    readonly Func<(KeyDigest Digest, bool Collector), RateLimiter> _newBucket;

    public KeyRateLimitPolicy(IOptions<IngestionOptions> options, ILogger<KeyRateLimitPolicy> logger)
    {
        (_options, _logger) = (options.Value, logger);
        var sensor = Bucket(_options.SensorKeyRateLimit);
        var collector = Bucket(_options.CollectorKeyRateLimit);
        _newBucket = key => new TokenBucketRateLimiter(key.Collector ? collector : sensor);
        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<(KeyDigest Digest, bool Collector)> GetPartition(HttpContext httpContext)
    {
        var caller = HeartbeatCaller.Of(httpContext);
        return new((caller.Digest, caller.IsCollector), _newBucket);
    }

    ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var caller = HeartbeatCaller.Of(http);
        var seconds = HeartbeatProblems.RetryAfterSeconds(
            context.Lease is { } lease && lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1));
        var limit = caller.IsCollector ? _options.CollectorKeyRateLimit : _options.SensorKeyRateLimit;
        LogRateLimited(_logger, caller.Sensor?.SensorId, caller.Collector?.Name, seconds);
        return new(HeartbeatProblems.RetryLater(http, StatusCodes.Status429TooManyRequests, seconds, "Too many requests",
            $"This key may send {limit.RequestsPerSecond} requests per second (bursts up to {limit.Burst}); wait {seconds} s. "
            + "Batch heartbeats into one request (an array of up to 10,000) instead of many small ones.").ExecuteAsync(http));
    }

    static TokenBucketRateLimiterOptions Bucket(RateLimitOptions limit) => new()
    {
        TokenLimit = limit.Burst,
        TokensPerPeriod = limit.RequestsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        // The rate limiting middleware's partitioned limiter refills every bucket on its own timer (as
        // RateLimitPartition.GetTokenBucketLimiter arranges): no timer per key.
        AutoReplenishment = false,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rate limited sensor {SensorId} / collector key {CollectorName} for {Seconds} s")]
    static partial void LogRateLimited(ILogger logger, long? sensorId, string? collectorName, int seconds);
}
