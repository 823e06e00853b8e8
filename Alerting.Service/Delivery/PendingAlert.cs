using Alerting.Service.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Alerting.Service.Delivery;

/// <summary>
/// One event waiting to go to one channel. Events a channel has waiting go out together, as one message, once the
/// oldest is due (its rule's group window has passed); the row is deleted when that message is delivered or given up.
/// </summary>
public sealed class PendingAlert
{
    public long Id { get; set; }

    public long ChannelId { get; set; }

    /// <summary>The event's id: an event relayed twice (after a crash) waits once per channel.</summary>
    public Guid EventId { get; set; }

    /// <summary>The state entered, "at-risk" or "test".</summary>
    public required string Event { get; set; }

    public long? SensorId { get; set; }

    public string? Tag { get; set; }

    /// <summary>The state left, for a state change.</summary>
    public string? FromState { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>A line of detail: the risk figures of a prediction, who asked for a test.</summary>
    public string? Detail { get; set; }

    public DateTimeOffset DueAt { get; set; }
}

sealed class PendingAlertConfiguration : IEntityTypeConfiguration<PendingAlert>
{
    public void Configure(EntityTypeBuilder<PendingAlert> alert)
    {
        alert.ToTable("pending_alerts", t => t.HasComment("Events waiting to go out to a channel, grouped per channel into one message."));
        alert.Property(a => a.Id).UseIdentityAlwaysColumn();
        alert.HasIndex(a => new { a.ChannelId, a.EventId }).IsUnique();
        alert.HasIndex(a => a.DueAt);
        alert.Property(a => a.Event).HasMaxLength(16);
        alert.Property(a => a.Tag).HasMaxLength(200);
        alert.Property(a => a.FromState).HasMaxLength(16);
        alert.Property(a => a.Detail).HasMaxLength(1000);
        alert.HasOne<AlertChannel>().WithMany().HasForeignKey(a => a.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
