using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Monitor.Worker.Infrastructure;

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
        var options = scope.ServiceProvider.GetRequiredService<IOptions<MonitorOptions>>().Value;
        var realigned = await db.Database.ExecuteSqlAsync($"""
            UPDATE sensors SET
                late_at = last_received_at + COALESCE(expected_interval, {options.DefaultExpectedInterval}) + COALESCE(grace, {options.DefaultGrace}),
                down_at = last_received_at + COALESCE(stale_after, {options.DefaultStaleAfter})
            WHERE last_received_at IS NOT NULL AND (
                late_at IS DISTINCT FROM last_received_at + COALESCE(expected_interval, {options.DefaultExpectedInterval}) + COALESCE(grace, {options.DefaultGrace})
                OR down_at IS DISTINCT FROM last_received_at + COALESCE(stale_after, {options.DefaultStaleAfter}))
            """, app.Lifetime.ApplicationStopping);
        if (realigned > 0)
        {
            // First start after an upgrade, or the default timings changed: deadlines follow the current settings.
            app.Logger.LogInformation("Late/down deadlines of {Count} sensors recomputed from the current default timings", realigned);
        }
        app.Logger.LogInformation("Database ready; heartbeat partitions: {Created} created, {Dropped} dropped", result.Created, result.Dropped);
    }
}
