using Sensors360.Storage;

namespace Alerting.Service.Storage;

public static class DatabaseStartup
{
    /// <summary>A session advisory lock for migrating the alerting schema: "S360" "ALRT" in ASCII.</summary>
    const long MigrationLock = 0x5333_3630_414C_5254;

    /// <summary>Applies the alerting schema's migrations before anything is served or consumed, one replica at a time.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AlertingDbContext>().Database
            .MigrateAloneAsync(MigrationLock, app.Lifetime.ApplicationStopping);
    }
}
