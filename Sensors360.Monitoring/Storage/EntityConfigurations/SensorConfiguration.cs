using Microsoft.EntityFrameworkCore;
using Sensors360.Storage;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

sealed class SensorConfiguration : IEntityTypeConfiguration<Sensor>
{
    public void Configure(EntityTypeBuilder<Sensor> sensor)
    {
        sensor.ToTable("sensors");
        sensor.Property(s => s.Id).UseIdentityAlwaysColumn();
        sensor.Property(s => s.Tag).HasMaxLength(200);
        sensor.Property(s => s.Labels).HasJsonbDictionary();
        sensor.Property(s => s.KeyHash).HasMaxLength(64).IsFixedLength();
        sensor.Property(s => s.State).HasStateText();
        sensor.Property(s => s.RetirementReason).HasReasonText();
        sensor.ToTable(t => t.HasCheckConstraint("ck_sensors_retirement_reason",
            "retirement_reason IN ('failed', 'replaced-preventively', 'decommissioned')"));

        // What every heartbeat moves lives in a narrow table of its own, with no index on any column a heartbeat
        // changes: its updates are HOT (no new index entries), about a tenth of the cost of updating the wide,
        // 13-index sensors row per heartbeat (measured: docs/architecture.md, the ingest hot path). The registry
        // columns above change rarely.
        sensor.SplitToTable(SensorLiveness.Table, liveness =>
        {
            liveness.Property(s => s.Id).HasColumnName("sensor_id");
            liveness.Property(s => s.State);
            liveness.Property(s => s.StateSince);
            liveness.Property(s => s.FirstHeartbeatAt);
            liveness.Property(s => s.LastHeartbeatAt);
            liveness.Property(s => s.LastReceivedAt);
            liveness.Property(s => s.HeartbeatCount);
            liveness.Property(s => s.LateAt);
            liveness.Property(s => s.DownAt);
        });

        // A tag names one live sensor; a replacement reuses the tag of the sensor it retires.
        sensor.HasIndex(s => s.Tag, "ux_sensors_tag_active").HasDatabaseName("ux_sensors_tag_active").IsUnique().HasFilter("retired_at IS NULL");
        sensor.HasIndex(s => s.Tag, "ix_sensors_tag_prefix").HasDatabaseName("ix_sensors_tag_prefix").HasOperators("text_pattern_ops");
        sensor.HasIndex(s => s.Labels).HasMethod("gin");
        sensor.HasIndex(s => s.KeyHash).IsUnique();
        // The sensor list pages by tag in byte order through an index EF cannot model (a collation on an expression
        // column); the SensorListIndexes migration creates it. The liveness table's (state, sensor_id) index is created
        // by the WritePath migration: a heartbeat does not change a sensor's state, so it keeps the updates HOT.
    }
}
