using Sensors360.Monitoring.Storage;
using Sensors360.Storage;

namespace Monitor.Worker.Storage;

public static class DatabaseStartup
{
    /// <summary>
    /// Applies EF migrations (one replica at a time) and creates the heartbeat partitions before the worker serves or
    /// consumes anything.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<MonitorDbContext>().Database
            .MigrateAloneAsync(SessionLocks.Migrations, app.Lifetime.ApplicationStopping);
        var result = await scope.ServiceProvider.GetRequiredService<HeartbeatPartitions>().MaintainAsync(app.Lifetime.ApplicationStopping);
        app.Logger.LogInformation("Database ready; heartbeat partitions: {Created} created, {Dropped} dropped", result.Created, result.Dropped);
    }
}
