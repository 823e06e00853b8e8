using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Storage;

namespace Alerting.Service.Rules;

/// <summary>
/// Which events go to which channels: events of the listed kinds (target states and/or "at-risk"; none: every state
/// change) about sensors that carry all of <see cref="Labels"/>, held for <see cref="GroupWindowSeconds"/> so that what
/// arrives together goes out as one message.
/// </summary>
public sealed class AlertRule
{
    public const int MaxNameLength = 100;
    public const int MaxGroupWindowSeconds = 3600;

    public long Id { get; set; }

    public required string Name { get; set; }

    public string[] Events { get; set; } = [];

    /// <summary>The label selector: a sensor matches when it has every one of these labels with this value.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    public long[] ChannelIds { get; set; } = [];

    public int GroupWindowSeconds { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool Matches(string @event, IReadOnlyDictionary<string, string>? labels) =>
        AlertEvents.Wants(Events, @event)
        && Labels.All(wanted => labels is not null && labels.TryGetValue(wanted.Key, out var value) && value == wanted.Value);
}

sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> rule)
    {
        rule.ToTable("alert_rules", t => t.HasComment("Routes events by kind and label selector to alert channels."));
        rule.Property(r => r.Id).UseIdentityAlwaysColumn();
        rule.Property(r => r.Name).HasMaxLength(AlertRule.MaxNameLength);
        rule.HasIndex(r => r.Name).IsUnique();
        rule.Property(r => r.Labels).HasJsonbDictionary();
    }
}
