using Microsoft.EntityFrameworkCore;
using Sensors360.Storage;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

sealed class CollectorKeyConfiguration : IEntityTypeConfiguration<CollectorKey>
{
    public void Configure(EntityTypeBuilder<CollectorKey> key)
    {
        key.ToTable("collector_keys");
        key.Property(k => k.Id).UseIdentityAlwaysColumn();
        key.Property(k => k.Name).HasMaxLength(200);
        key.Property(k => k.Selector).HasJsonbDictionary();
        key.Property(k => k.KeyHash).HasMaxLength(64).IsFixedLength();
        key.HasIndex(k => k.KeyHash).IsUnique();
    }
}
