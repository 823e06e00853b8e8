using System.ComponentModel.DataAnnotations;
using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Liveness;

/// <summary>The <c>Monitor</c> configuration section.</summary>
public sealed class MonitorOptions : IValidatableObject
{
    public const string Section = "Monitor";

    /// <summary>Heartbeats older than this are dropped with their daily partition.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>
    /// Hourly roll-ups of the heartbeats older than this are deleted. They outlive the heartbeats, which they summarise
    /// for long-range charts and failure prediction. Unset: 400 days, or <see cref="RetentionDays"/> if longer.
    /// </summary>
    [Range(1, 3650)]
    public int? HourlyRetentionDays { get; set; }

    /// <summary>The roll-up retention in effect: <see cref="HourlyRetentionDays"/>, or its default when unset.</summary>
    public int EffectiveHourlyRetentionDays => HourlyRetentionDays ?? Math.Max(RetentionDays, 400);

    /// <summary>
    /// State changes older than this are deleted, except each sensor's latest one before that horizon: it gives the
    /// sensor's state there, which a window's uptime starts from. Unset: as long as the heartbeats
    /// (<see cref="RetentionDays"/>), so that a sensor's history of heartbeats and of states covers the same past, and
    /// never less than the longest uptime window (<see cref="Uptime.LongestWindowDays"/>), which reads them.
    /// </summary>
    [Range(Uptime.LongestWindowDays, 3650)]
    public int? StateChangeRetentionDays { get; set; }

    /// <summary>The state-change retention in effect: <see cref="StateChangeRetentionDays"/>, or its default when unset.</summary>
    public int EffectiveStateChangeRetentionDays => StateChangeRetentionDays ?? Math.Max(RetentionDays, Uptime.LongestWindowDays);

    /// <summary>
    /// Risk models fitted longer ago than this are deleted, except the newest (the model in use). Only the newest is
    /// ever read; the older ones show how the model moved, as far back as the heartbeats they were fitted from.
    /// </summary>
    [Range(1, 3650)]
    public int RiskModelRetentionDays { get; set; } = 90;

    /// <summary>How many days of partitions exist ahead of today.</summary>
    [Range(1, 60)]
    public int PartitionDaysAhead { get; set; } = 7;

    /// <summary>
    /// How often partitions are created ahead and expired ones dropped, and (by the worker running the periodic work)
    /// expired rows deleted.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PartitionMaintenancePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Expected time between heartbeats for sensors that do not set their own.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DefaultExpectedInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Extra time past the expected interval before a sensor counts as late.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DefaultGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Silence after which a sensor is stale (down), for sensors that do not set their own.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DefaultStaleAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Silence after which a down sensor's life counts as ended (at its last heartbeat).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan DeadAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the status snapshot is published (and how often a standby worker tries to take over).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SnapshotPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the staleness scan runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ScanPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most sensor ids listed in one StaleSensorsDetected message (the longest silent first).</summary>
    [Range(0, 10_000)]
    public int StaleIdsPerMessage { get; set; } = 100;

    /// <summary>
    /// Heartbeat messages (each up to ~1,000 heartbeats) received from the broker at once: those waiting while one
    /// transaction commits are stored together in the next.
    /// </summary>
    [Range(1, 1_000)]
    public int ConcurrentMessages { get; set; } = 100;

    /// <summary>Most heartbeats stored in one transaction.</summary>
    [Range(1_000, 1_000_000)]
    public int MaxBatchHeartbeats { get; set; } = 50_000;

    /// <summary>How often the outbox relay looks for events it was not told of (left by a worker that died).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan OutboxPollPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Storing this far behind the accepted heartbeats counts as behind: shown in snapshots, /api/stats and /health.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan BehindAfter { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HourlyRetentionDays < RetentionDays)
        {
            yield return new ValidationResult(
                $"{nameof(HourlyRetentionDays)} ({HourlyRetentionDays}) must not be shorter than {nameof(RetentionDays)} ({RetentionDays}): "
                + "the roll-ups summarise the heartbeats and outlive them.", [nameof(HourlyRetentionDays)]);
        }
    }
}
