using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

sealed class StoredHeartbeatConfiguration : IEntityTypeConfiguration<StoredHeartbeat>
{
    public void Configure(EntityTypeBuilder<StoredHeartbeat> heartbeat)
    {
        // Range-partitioned by sensor_time; EF cannot express that, so the table is created by SQL in a migration.
        heartbeat.ToTable("heartbeats", t => t.ExcludeFromMigrations());
        heartbeat.HasKey(h => new { h.SensorId, h.SensorTime });
    }
}
