using Microsoft.EntityFrameworkCore;
using Sensors360.Audit;

namespace Sensors360.Storage;

/// <summary>
/// The audit log's table, laid out alike in every service that keeps a part of it (each in its own schema), so the
/// gateway can merge the parts into one list.
/// </summary>
public static class AuditEntryLayout
{
    public static ModelBuilder AddAuditEntries(this ModelBuilder model, string? comment = null) =>
        model.Entity<AuditEntry>(entry =>
        {
            entry.ToTable("audit_entries", table => table.HasComment(comment));
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
        });
}
