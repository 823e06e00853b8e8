using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

sealed class SensorRiskConfiguration : IEntityTypeConfiguration<SensorRisk>
{
    public void Configure(EntityTypeBuilder<SensorRisk> risk)
    {
        risk.ToTable("sensor_risks");
        risk.HasKey(r => r.SensorId);
        risk.Property(r => r.SensorId).ValueGeneratedNever();
        risk.Property(r => r.Risk7d).HasColumnName("risk_7d");
        risk.Property(r => r.Risk30d).HasColumnName("risk_30d");
        risk.HasOne<Sensor>().WithOne().HasForeignKey<SensorRisk>(r => r.SensorId).OnDelete(DeleteBehavior.Cascade);
        // The maintenance queue reads the riskiest first.
        risk.HasIndex(r => r.Risk7d).IsDescending().HasDatabaseName("ix_sensor_risks_risk_7d");
    }
}

sealed class RiskModelRecordConfiguration : IEntityTypeConfiguration<RiskModelRecord>
{
    public void Configure(EntityTypeBuilder<RiskModelRecord> model)
    {
        model.ToTable("risk_models");
        model.Property(m => m.Id).UseIdentityAlwaysColumn();
        model.Property(m => m.Kind).HasMaxLength(16);
        model.Property(m => m.AgeCurveKind).HasMaxLength(16);
        model.HasIndex(m => m.FittedAt);
    }
}
