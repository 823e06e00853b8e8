using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Monitor.Worker.Model;

namespace Monitor.Worker.Infrastructure.EntityConfigurations;

sealed class SensorConfiguration : IEntityTypeConfiguration<Sensor>
{
    public void Configure(EntityTypeBuilder<Sensor> sensor)
    {
        sensor.ToTable("sensors", t => t.HasCheckConstraint(
            "ck_sensors_state", "state IN ('new', 'up', 'late', 'down', 'retired')"));
        sensor.Property(s => s.Id).UseIdentityAlwaysColumn();
        sensor.Property(s => s.Tag).HasMaxLength(200);
        sensor.Property(s => s.Labels).HasJsonbDictionary();
        sensor.Property(s => s.KeyHash).HasMaxLength(64).IsFixedLength();
        sensor.Property(s => s.State).HasStateText();

        // A tag names one live sensor; a replacement reuses the tag of the sensor it retires.
        sensor.HasIndex(s => s.Tag).IsUnique().HasFilter("retired_at IS NULL").HasDatabaseName("ux_sensors_tag_active");
        sensor.HasIndex(s => s.Tag).HasOperators("text_pattern_ops").HasDatabaseName("ix_sensors_tag_prefix");
        sensor.HasIndex(s => s.Labels).HasMethod("gin");
        sensor.HasIndex(s => s.KeyHash).IsUnique();
        // The staleness scan walks this index, never the heartbeats table.
        sensor.HasIndex(s => s.LastReceivedAt).HasFilter("retired_at IS NULL").HasDatabaseName("ix_sensors_last_received_active");
    }
}
