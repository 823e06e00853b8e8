using Microsoft.EntityFrameworkCore;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Storage;

public static class DatabaseStartup
{
    /// <summary>
    /// Applies EF migrations (EF holds a database lock while migrating, so replicas can start together) and creates
    /// the heartbeat partitions before the worker serves or consumes anything.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDbContext>();
        await db.Database.MigrateAsync(app.Lifetime.ApplicationStopping);
        var result = await scope.ServiceProvider.GetRequiredService<HeartbeatPartitions>().MaintainAsync(app.Lifetime.ApplicationStopping);
        app.Logger.LogInformation("Database ready; heartbeat partitions: {Created} created, {Dropped} dropped", result.Created, result.Dropped);
    }
}
