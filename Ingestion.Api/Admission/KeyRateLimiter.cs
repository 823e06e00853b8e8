using System.Threading.RateLimiting;
using Ingestion.Api.Apis;
using Ingestion.Api.Credentials;
using Ingestion.Api.Heartbeats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ingestion.Api.Admission;

/// <summary>
/// One token bucket per key, counting heartbeats: <see cref="IngestionOptions.SensorKeyRateLimit"/> for a sensor key,
/// <see cref="IngestionOptions.CollectorKeyRateLimit"/> for a collector key. Among the admission steps, before the
/// body is read, a key with nothing left is refused cheaply (<see cref="CheckRequest"/>); once the body is parsed the
/// request pays for its heartbeats (<see cref="Admit"/>): a batch of N costs N, as N single requests would. A request
/// refused or found malformed after that costs one (<see cref="Charge"/>), so a flood of them is not free either.
/// </summary>
public sealed partial class KeyRateLimiter : IAsyncDisposable
{
    readonly IngestionOptions _options;
    readonly ILogger<KeyRateLimiter> _logger;
    readonly PartitionedRateLimiter<HeartbeatCaller> _buckets;

    public KeyRateLimiter(IOptions<IngestionOptions> options, ILogger<KeyRateLimiter> logger)
    {
        (_options, _logger) = (options.Value, logger);
        var sensor = Bucket(_options.SensorKeyRateLimit);
        var collector = Bucket(_options.CollectorKeyRateLimit);
        // One delegate for every partition, so finding a key's bucket allocates nothing but the key's box.
        Func<(KeyDigest Digest, bool Collector), RateLimiter> newBucket = key => new TokenBucketRateLimiter(key.Collector ? collector : sensor);
        // The partitioned limiter refills every bucket on its own timer and drops idle ones: no timer per key.
        _buckets = PartitionedRateLimiter.Create<HeartbeatCaller, (KeyDigest, bool)>(
            caller => new((caller.Digest, caller.IsCollector), newBucket));
    }

    /// <summary>The key's limit: heartbeats per second and the largest burst.</summary>
    public RateLimitOptions LimitOf(HeartbeatCaller caller) =>
        caller.IsCollector ? _options.CollectorKeyRateLimit : _options.SensorKeyRateLimit;

    /// <summary>Before the body is read: null while the key has a heartbeat left, else the 429. Takes nothing.</summary>
    public ProblemHttpResult? CheckRequest(HttpContext http)
    {
        var caller = HeartbeatCaller.Of(http);
        using var lease = _buckets.AttemptAcquire(caller, 0);
        return lease.IsAcquired ? null : Refuse(http, caller, 1);
    }

    /// <summary>
    /// A parsed request of <paramref name="heartbeats"/> pays for them: null when admitted; a 413 when the request
    /// alone is larger than the key's burst (it could never pass); else the 429, with the wait until it would pass.
    /// </summary>
    public ProblemHttpResult? Admit(HttpContext http, int heartbeats)
    {
        var caller = HeartbeatCaller.Of(http);
        var limit = LimitOf(caller);
        if (heartbeats > limit.Burst)
        {
            Charge(http);
            return HeartbeatProblems.Problem(StatusCodes.Status413PayloadTooLarge, HeartbeatProblemTitles.TooManyHeartbeats,
                $"This request holds {heartbeats:N0} heartbeats, but this key may send at most {limit.Burst:N0} at once "
                + $"({limit.HeartbeatsPerSecond:N0} per second); split them into requests of up to {limit.Burst:N0}.");
        }
        using (var lease = _buckets.AttemptAcquire(caller, heartbeats))
        {
            if (lease.IsAcquired)
            {
                return null;
            }
        }
        Charge(http);
        return Refuse(http, caller, heartbeats);
    }

    /// <summary>What a request refused after its body was read costs the key: one heartbeat, if it has one left.</summary>
    public void Charge(HttpContext http) => _buckets.AttemptAcquire(HeartbeatCaller.Of(http), 1).Dispose();

    ProblemHttpResult Refuse(HttpContext http, HeartbeatCaller caller, int heartbeats)
    {
        var limit = LimitOf(caller);
        // Whole seconds after which the bucket holds the request's heartbeats: refills come a second's worth at a
        // time, the next one up to a second (and the refill timer's tick) away, hence the one more.
        var available = _buckets.GetStatistics(caller)?.CurrentAvailablePermits ?? 0;
        var seconds = 1 + Math.Max(1, (int)Math.Ceiling((heartbeats - available) / (double)limit.HeartbeatsPerSecond));
        LogRateLimited(_logger, caller.Sensor?.SensorId, caller.Collector?.Name, seconds);
        return HeartbeatProblems.RetryLater(http, StatusCodes.Status429TooManyRequests, seconds, "Rate limited",
            $"This key may send {limit.HeartbeatsPerSecond:N0} heartbeats per second (bursts up to {limit.Burst:N0}); "
            + (heartbeats > 1 ? $"this request's {heartbeats:N0} are more than it has left; " : "")
            + $"wait {seconds} s. Heartbeats count, not requests: batching saves round trips, not quota.");
    }

    static TokenBucketRateLimiterOptions Bucket(RateLimitOptions limit) => new()
    {
        TokenLimit = limit.Burst,
        TokensPerPeriod = limit.HeartbeatsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = false,
    };

    public ValueTask DisposeAsync() => _buckets.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rate limited sensor {SensorId} / collector key {CollectorName} for {Seconds} s")]
    static partial void LogRateLimited(ILogger logger, long? sensorId, string? collectorName, int seconds);
}
