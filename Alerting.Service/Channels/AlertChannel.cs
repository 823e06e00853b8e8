using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Alerting.Service.Channels;

/// <summary>Where grouped alerts go: an email distribution, or a Slack- or Teams-compatible incoming webhook.</summary>
public sealed class AlertChannel
{
    public const int MaxNameLength = 100;
    public const int MaxRecipients = 50;

    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>One of <see cref="ChannelKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>The incoming-webhook URL of a chat channel; null for email. A secret: the API shows its host only.</summary>
    public string? Url { get; set; }

    /// <summary>Email addresses of an email channel; empty for chat.</summary>
    public string[] Recipients { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    /// <summary>Why the latest attempt failed, or what a successful one could not do (recipients refused); null after a full success.</summary>
    public string? LastError { get; set; }

    /// <summary>Attempts that failed for the message now waiting to go out; 0 when none failed.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>When the next attempt may be made after a failure (back-off); null when nothing waits for a retry.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>Messages (not alerts) delivered, and given up after the last attempt.</summary>
    public long DeliveriesSucceeded { get; set; }

    public long DeliveriesFailed { get; set; }
}

public static class ChannelKinds
{
    public const string Email = "email";
    public const string Slack = "slack";
    public const string Teams = "teams";

    public static readonly IReadOnlyList<string> All = [Email, Slack, Teams];
}

sealed class AlertChannelConfiguration : IEntityTypeConfiguration<AlertChannel>
{
    public void Configure(EntityTypeBuilder<AlertChannel> channel)
    {
        channel.ToTable("alert_channels", t => t.HasComment("Email and chat destinations of grouped alerts, and the state of their deliveries."));
        channel.Property(c => c.Id).UseIdentityAlwaysColumn();
        channel.Property(c => c.Name).HasMaxLength(AlertChannel.MaxNameLength);
        channel.HasIndex(c => c.Name).IsUnique();
        channel.Property(c => c.Kind).HasMaxLength(16);
        channel.Property(c => c.Url).HasMaxLength(Webhooks.Webhook.MaxUrlLength)
            .HasComment("A chat channel's incoming-webhook URL; it authorises posting, so it is shown by host only.");
    }
}
