using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Monitor.Worker.Model;

namespace Monitor.Worker.Infrastructure.EntityConfigurations;

sealed class StoredHeartbeatConfiguration : IEntityTypeConfiguration<StoredHeartbeat>
{
    public void Configure(EntityTypeBuilder<StoredHeartbeat> heartbeat)
    {
        // Range-partitioned by sensor_time; EF cannot express that, so the table is created by SQL in a migration.
        heartbeat.ToTable("heartbeats", t => t.ExcludeFromMigrations());
        heartbeat.HasKey(h => new { h.SensorId, h.SensorTime });
    }
}
