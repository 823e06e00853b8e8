using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sensors360.Audit;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

/// <summary>The registry's half of the audit log (the gateway keeps the other half in its own schema, laid out alike).</summary>
sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("audit_entries", t => t.HasComment("Operators' actions on the registry: who, when, from where, what changed. Kept until deleted by hand."));
        entry.Property(e => e.Id).ValueGeneratedNever();
        entry.Property(e => e.Actor).HasMaxLength(200);
        entry.Property(e => e.ActorRole).HasMaxLength(16);
        entry.Property(e => e.Address).HasMaxLength(64);
        entry.Property(e => e.Action).HasMaxLength(64);
        entry.Property(e => e.Target).HasMaxLength(300);
        entry.Property(e => e.Details).HasColumnType("jsonb");
        // Newest first, alone or for one actor, action or target.
        entry.HasIndex(e => new { e.At, e.Id }).IsDescending();
        entry.HasIndex(e => new { e.Actor, e.At });
        entry.HasIndex(e => new { e.Action, e.At });
        entry.HasIndex(e => new { e.Target, e.At });
    }
}
