using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Realtime.Gateway.Identity;
using Sensors360.Audit;
using Sensors360.Storage;

namespace Realtime.Gateway.Infrastructure;

/// <summary>
/// Operators, roles, bearer tokens, the shared Data Protection keys (so every gateway replica reads every replica's
/// cookies) and the failed sign-ins of names without an account (so every replica counts them together), all in the
/// <c>identity</c> schema of sensorsdb, apart from the monitor's tables.
/// </summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options)
    : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public const string Schema = "identity";

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<NameLockout> NameLockouts => Set<NameLockout>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasDefaultSchema(Schema);
        builder.Entity<IdentityUser>().ToTable("users");
        builder.Entity<IdentityRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
        builder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        builder.Entity<ApiToken>(token =>
        {
            token.ToTable("api_tokens");
            token.HasIndex(t => t.Hash).IsUnique();
            token.HasIndex(t => t.UserId);
            token.Property(t => t.Name).HasMaxLength(100);
            token.Property(t => t.Hash).HasMaxLength(64);
            token.Property(t => t.Role).HasMaxLength(16);
            token.Property(t => t.CreatedBy).HasMaxLength(64);
            token.HasOne<IdentityUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        // The gateway's half of the audit log (sign-ins, users, tokens).
        builder.AddAuditEntries();

        builder.Entity<NameLockout>(lockout =>
        {
            lockout.ToTable(NameLockout.Table);
            lockout.HasKey(l => l.NameHash);
            lockout.Property(l => l.NameHash).HasMaxLength(32);
            // The hourly purge finds the forgotten names by it.
            lockout.HasIndex(l => l.LastFailureAt);
        });
    }
}
