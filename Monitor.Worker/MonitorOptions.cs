using System.ComponentModel.DataAnnotations;

namespace Monitor.Worker;

/// <summary>The <c>Monitor</c> configuration section.</summary>
public sealed class MonitorOptions
{
    public const string Section = "Monitor";

    /// <summary>Heartbeats older than this are dropped with their daily partition.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How many days of partitions exist ahead of today.</summary>
    [Range(1, 60)]
    public int PartitionDaysAhead { get; set; } = 7;

    /// <summary>How often partitions are created ahead and expired ones dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PartitionMaintenancePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Heartbeat messages processed at once (each carries up to ~1,000 heartbeats).</summary>
    [Range(1, 64)]
    public int ConsumerConcurrency { get; set; } = 4;
}
