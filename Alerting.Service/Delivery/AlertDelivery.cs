using Alerting.Service.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Alerting.Service.Delivery;

/// <summary>A message that went out to a channel, or was given up after its last attempt: the admin page's history.</summary>
public sealed class AlertDelivery
{
    public const int MaxSubjectLength = 300;

    public long Id { get; set; }

    public long ChannelId { get; set; }

    public DateTimeOffset At { get; set; }

    public bool Succeeded { get; set; }

    public int Attempts { get; set; }

    /// <summary>Events the message carried.</summary>
    public int Alerts { get; set; }

    public required string Subject { get; set; }

    /// <summary>Why the last attempt failed; when delivered, what it could not do (recipients refused), else null.</summary>
    public string? Error { get; set; }
}

sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<AlertDelivery>
{
    public void Configure(EntityTypeBuilder<AlertDelivery> delivery)
    {
        delivery.ToTable("alert_deliveries", t => t.HasComment("Messages delivered to or given up on alert channels; kept for DeliveryOptions.KeepDeliveriesFor."));
        delivery.Property(d => d.Id).UseIdentityAlwaysColumn();
        delivery.HasIndex(d => d.At);
        delivery.Property(d => d.Subject).HasMaxLength(AlertDelivery.MaxSubjectLength);
        delivery.Property(d => d.Error).HasMaxLength(DeliveryAnswers.MaxErrorLength);
        delivery.HasOne<AlertChannel>().WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
