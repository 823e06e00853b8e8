using Microsoft.EntityFrameworkCore;
using Alerting.Service.Webhooks;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Alerting.Service.Storage;

sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> webhook)
    {
        webhook.ToTable("webhooks");
        webhook.Property(w => w.Id).UseIdentityAlwaysColumn();
        webhook.Property(w => w.Url).HasMaxLength(Webhook.MaxUrlLength);
        webhook.Property(w => w.Events).HasComment("Target states to deliver; empty = all.");
        webhook.Property(w => w.Secret).HasMaxLength(100)
            .HasComment("Shared HMAC-SHA256 signing secret, shown once at creation; plain text because signing needs it.");
    }
}
