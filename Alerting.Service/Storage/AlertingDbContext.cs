using Alerting.Service.Channels;
using Alerting.Service.Delivery;
using Alerting.Service.Rules;
using Alerting.Service.Webhooks;
using Microsoft.EntityFrameworkCore;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Sensors360.Audit;
using Sensors360.Storage;

namespace Alerting.Service.Storage;

/// <summary>
/// Webhooks, alert channels and rules, the alerts waiting to go out and the deliveries made, and this service's part of
/// the audit log: all in the <c>alerting</c> schema, the only one its database login may use.
/// </summary>
public sealed class AlertingDbContext(DbContextOptions<AlertingDbContext> options) : DbContext(options)
{
    public const string Schema = "alerting";

    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<AlertChannel> Channels => Set<AlertChannel>();
    public DbSet<AlertRule> Rules => Set<AlertRule>();
    public DbSet<PendingAlert> PendingAlerts => Set<PendingAlert>();
    public DbSet<AlertDelivery> Deliveries => Set<AlertDelivery>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    /// <summary>The migration history lives in the schema too, apart from the other services'.</summary>
    public static void ConfigureNpgsql(NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable("__EFMigrationsHistory", Schema);

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.HasDefaultSchema(Schema);
        model.ApplyConfigurationsFromAssembly(typeof(AlertingDbContext).Assembly);
        model.AddAuditEntries("Operators' changes to webhooks, alert channels and rules: who, when, from where, what changed.");
    }
}
