using Microsoft.EntityFrameworkCore;
using Sensors360.Monitoring.Model;
using Sensors360.Storage;

namespace Sensors360.Monitoring.Storage;

public sealed class MonitorDbContext(DbContextOptions<MonitorDbContext> options) : DbContext(options)
{
    public DbSet<Sensor> Sensors => Set<Sensor>();

    public DbSet<SensorStateChange> SensorStateChanges => Set<SensorStateChange>();

    public DbSet<StoredHeartbeat> Heartbeats => Set<StoredHeartbeat>();

    public DbSet<CollectorKey> CollectorKeys => Set<CollectorKey>();

    public DbSet<SensorRisk> SensorRisks => Set<SensorRisk>();

    public DbSet<RiskModelRecord> RiskModels => Set<RiskModelRecord>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<Sensors360.Audit.AuditEntry> AuditEntries => Set<Sensors360.Audit.AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MonitorDbContext).Assembly)
            .AddAuditEntries("Operators' actions on the registry: who, when, from where, what changed. Kept until deleted by hand.");
}
