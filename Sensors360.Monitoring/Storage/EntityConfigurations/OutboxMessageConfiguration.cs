using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable("outbox_messages");
        message.Property(m => m.Id).UseIdentityAlwaysColumn();
        message.Property(m => m.MessageId).HasDefaultValueSql("gen_random_uuid()");
        message.Property(m => m.MessageType).HasMaxLength(100);
        message.Property(m => m.Payload).HasColumnType("jsonb");
        message.Property(m => m.CreatedAt).HasDefaultValueSql("now()");
    }
}
