using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ingestion.Api.Credentials;

/// <summary>One token bucket per key (sensor keys and collector keys have their own limits).</summary>
public sealed class KeyRateLimiter(IOptions<IngestionOptions> options) : IDisposable
{
    readonly PartitionedRateLimiter<(KeyDigest Digest, bool Collector)> _limiter =
        PartitionedRateLimiter.Create<(KeyDigest Digest, bool Collector), (KeyDigest, bool)>(key =>
        {
            var limit = key.Collector ? options.Value.CollectorKeyRateLimit : options.Value.SensorKeyRateLimit;
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limit.Burst,
                TokensPerPeriod = limit.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

    /// <returns>Null when the request may proceed, else how long the client should wait.</returns>
    public TimeSpan? TryAcquire(KeyDigest digest, bool collector)
    {
        using var lease = _limiter.AttemptAcquire((digest, collector));
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => _limiter.Dispose();
}
