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
        sensor.HasIndex(s => s.Tag, "ux_sensors_tag_active").HasDatabaseName("ux_sensors_tag_active").IsUnique().HasFilter("retired_at IS NULL");
        sensor.HasIndex(s => s.Tag, "ix_sensors_tag_prefix").HasDatabaseName("ix_sensors_tag_prefix").HasOperators("text_pattern_ops");
        sensor.HasIndex(s => s.Labels).HasMethod("gin");
        sensor.HasIndex(s => s.KeyHash).IsUnique();
        // The stale list walks this index, never the heartbeats table.
        sensor.HasIndex(s => s.LastReceivedAt).HasFilter("retired_at IS NULL").HasDatabaseName("ix_sensors_last_received_active");
        // The staleness scan finds due transitions through these, touching only the sensors that are due.
        sensor.HasIndex(s => s.LateAt).HasFilter("state = 'up'").HasDatabaseName("ix_sensors_late_at_up");
        sensor.HasIndex(s => s.DownAt, "ix_sensors_down_at_alive").HasDatabaseName("ix_sensors_down_at_alive").HasFilter("state IN ('up', 'late')");
        sensor.HasIndex(s => s.DownAt, "ix_sensors_down_at_active").HasDatabaseName("ix_sensors_down_at_active").HasFilter("retired_at IS NULL");
        // The sensor list pages by (state,) id, by tag in byte order and by last receipt through indexes that EF
        // cannot model (collation and expression columns); the SensorListIndexes migration creates them.
        sensor.HasIndex(s => new { s.State, s.Id }).HasDatabaseName("ix_sensors_state_id");
    }
}
