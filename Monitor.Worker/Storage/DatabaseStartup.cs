using Microsoft.EntityFrameworkCore;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Storage;

public static class DatabaseStartup
{
    /// <summary>
    /// Applies EF migrations and creates the heartbeat partitions before the worker serves or consumes anything.
    /// Replicas starting together take turns: EF's own migration lock did not keep two from creating the same function
    /// (42723), so the whole migration runs under a session advisory lock on the migrating connection.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDbContext>();
        await db.Database.OpenConnectionAsync(app.Lifetime.ApplicationStopping);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({SessionLocks.Migrations})", app.Lifetime.ApplicationStopping);
        await db.Database.MigrateAsync(app.Lifetime.ApplicationStopping);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({SessionLocks.Migrations})", app.Lifetime.ApplicationStopping);
        await db.Database.CloseConnectionAsync();
        var result = await scope.ServiceProvider.GetRequiredService<HeartbeatPartitions>().MaintainAsync(app.Lifetime.ApplicationStopping);
        app.Logger.LogInformation("Database ready; heartbeat partitions: {Created} created, {Dropped} dropped", result.Created, result.Dropped);
    }
}
