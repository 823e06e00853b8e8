using Microsoft.EntityFrameworkCore;

namespace Alerting.Service.Storage;

public static class DatabaseStartup
{
    /// <summary>A session advisory lock for migrating the alerting schema: "S360" "ALRT" in ASCII.</summary>
    const long MigrationLock = 0x5333_3630_414C_5254;

    /// <summary>Applies the alerting schema's migrations before anything is served or consumed, one replica at a time.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        using var scope = app.Services.CreateScope();
        var database = scope.ServiceProvider.GetRequiredService<AlertingDbContext>().Database;
        await database.OpenConnectionAsync(stopping);
        await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", stopping);
        await database.MigrateAsync(stopping);
        await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", stopping);
        await database.CloseConnectionAsync();
    }
}
