using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingestion.Api;

/// <summary>Settings of the heartbeat API (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>Largest request body; the limit is part of the public contract (1 MiB).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    [Range(1, 10_000)]
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>What one request (or MQTT message) may hold and how old or new its timestamps may be.</summary>
    public Heartbeats.HeartbeatLimits Limits => new(MaxItemsPerRequest, MaxFutureSkew, TimeSpan.FromDays(RetentionDays));

    /// <summary>How far ahead of the server clock a heartbeat's timestamp may be.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Oldest accepted timestamp, in days; keep equal to Monitor:RetentionDays (the AppHost passes one value to both).</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How long a request waits for the broker's confirm before it is answered 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Most heartbeats per micro-batch message (a single larger request still travels whole).</summary>
    [Range(1, 10_000)]
    public int BatchMaxItems { get; set; } = 1_000;

    /// <summary>How long a batch waits for more requests before it is sent; zero sends at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.100")]
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Batches awaiting their confirm at the same time; more requests meanwhile make bigger batches.</summary>
    [Range(1, 256)]
    public int MaxConcurrentPublishes { get; set; } = 8;

    /// <summary>Requests waiting for a batch; beyond this the API answers 503 at once instead of queueing.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedRequests { get; set; } = 20_000;

    /// <summary>
    /// Messages ready in the heartbeats queue (read by the backlog probe) beyond which every heartbeat is refused with
    /// 503: the monitor is that far behind. Messages, not heartbeats: a message is one micro-batch of 1 to
    /// <see cref="BatchMaxItems"/> heartbeats (a single larger request travels whole), so 20,000 is 20,000 heartbeats
    /// of one-by-one traffic and up to 20 million at full batches.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxBacklogMessages { get; set; } = 20_000;

    /// <summary>The Retry-After of a refusal for the monitor's backlog (whole seconds, rounded up).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BacklogRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Full reload of the credential cache; registry events keep it fresh in between.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CredentialRefreshPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Unknown keys looked up in the registry per second, for all callers together (0: never). A key registered a
    /// moment ago works before its registry event arrives, and after a broker restart, when events can be lost; the
    /// budget keeps a flood of made-up keys from becoming a flood of registry queries.
    /// </summary>
    [Range(0, 10_000)]
    public int KeyLookupsPerSecond { get; set; } = 20;

    /// <summary>How long a request waits for a key lookup before it is answered 401.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan KeyLookupTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Base address of Monitor.Worker's internal credentials API (Aspire service discovery by default).</summary>
    [Required]
    public Uri CredentialsSource { get; set; } = new("http://monitor-worker");

    /// <summary>
    /// Heartbeats per sensor key. A sensor beats every few seconds at most: one a second is several times that, and a
    /// burst of 60 lets a sensor send a minute of beats it buffered while offline in one request.
    /// </summary>
    [Required, ValidateObjectMembers]
    public RateLimitOptions SensorKeyRateLimit { get; set; } = new() { HeartbeatsPerSecond = 1, Burst = 60 };

    /// <summary>
    /// Heartbeats per collector key, which forwards a whole site: 40,000 sensors beating every 2 s (or 100,000 every
    /// 5 s), with bursts of four full requests (<see cref="MaxItemsPerRequest"/>). About a third of what the system
    /// was measured to store from batches (60,000–70,000/s, docs/benchmarks.md), so one key cannot take it all.
    /// </summary>
    [Required, ValidateObjectMembers]
    public RateLimitOptions CollectorKeyRateLimit { get; set; } = new() { HeartbeatsPerSecond = 20_000, Burst = 40_000 };
}

/// <summary>
/// A token bucket per key, counting heartbeats (a request of N heartbeats costs N): <see cref="HeartbeatsPerSecond"/>
/// sustained, up to <see cref="Burst"/> at once; a request of more than <see cref="Burst"/> is refused with 413.
/// </summary>
public sealed class RateLimitOptions : IValidatableObject
{
    [Range(1, 1_000_000)]
    public int HeartbeatsPerSecond { get; set; }

    [Range(1, 1_000_000)]
    public int Burst { get; set; }

    /// <summary>The former name, from when the limit counted requests: refused, so an old setting is not silently ignored.</summary>
    public int? RequestsPerSecond { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequestsPerSecond is not null)
        {
            yield return new ValidationResult(
                "RequestsPerSecond was renamed HeartbeatsPerSecond: the limit counts heartbeats (a request of N costs N), not requests.",
                [nameof(RequestsPerSecond)]);
        }
    }
}
