using Microsoft.Extensions.Options;
using Npgsql;
using Sensors360.Monitoring.Liveness;

namespace Monitor.Worker.Storage;

/// <summary>Keeps daily heartbeat partitions from the retention horizon to a few days ahead, and drops expired ones.</summary>
public sealed class HeartbeatPartitions(NpgsqlDataSource dataSource, IOptions<MonitorOptions> options, TimeProvider clock)
{
    public sealed record MaintenanceResult(int Created, int Dropped);

    public async Task<MaintenanceResult> MaintainAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // One spare day beyond retention: a heartbeat accepted just inside the horizon may still be queued.
        var oldestKept = today.AddDays(-settings.RetentionDays - 1);

        await using var command = dataSource.CreateCommand(
            "SELECT ensure_heartbeat_partitions($1, $2), drop_heartbeat_partitions_before($3)");
        command.Parameters.Add(new() { Value = oldestKept });
        command.Parameters.Add(new() { Value = today.AddDays(settings.PartitionDaysAhead) });
        command.Parameters.Add(new() { Value = oldestKept });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new MaintenanceResult(reader.GetInt32(0), reader.GetInt32(1));
    }
}

/// <summary>Runs <see cref="HeartbeatPartitions.MaintainAsync"/> every <see cref="MonitorOptions.PartitionMaintenancePeriod"/>.</summary>
public sealed class PartitionMaintenanceService(
    HeartbeatPartitions partitions, IOptions<MonitorOptions> options, ILogger<PartitionMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PartitionMaintenancePeriod);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var result = await partitions.MaintainAsync(stoppingToken);
                if (result.Created > 0 || result.Dropped > 0)
                {
                    logger.LogInformation("Heartbeat partitions: {Created} created, {Dropped} dropped", result.Created, result.Dropped);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Heartbeat partition maintenance failed; retrying next period");
            }
        }
    }
}
