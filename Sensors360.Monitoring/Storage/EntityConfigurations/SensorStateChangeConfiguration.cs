using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

sealed class SensorStateChangeConfiguration : IEntityTypeConfiguration<SensorStateChange>
{
    public void Configure(EntityTypeBuilder<SensorStateChange> change)
    {
        change.ToTable("sensor_state_changes");
        change.Property(c => c.Id).UseIdentityAlwaysColumn();
        change.Property(c => c.FromState).HasStateText();
        change.Property(c => c.ToState).HasStateText();
        change.HasOne<Sensor>().WithMany().HasForeignKey(c => c.SensorId).OnDelete(DeleteBehavior.Cascade);
        change.HasIndex(c => new { c.SensorId, c.At });
        // Retention walks the expired changes oldest first, in batches, each starting where the last one stopped.
        change.HasIndex(c => new { c.At, c.Id });
    }
}
