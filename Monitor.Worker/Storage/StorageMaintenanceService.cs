using Microsoft.Extensions.Options;
using Monitor.Worker.Monitoring;
using Sensors360.Monitoring.Liveness;

namespace Monitor.Worker.Storage;

/// <summary>
/// Every <see cref="MonitorOptions.PartitionMaintenancePeriod"/>: the heartbeat partitions (<see cref="HeartbeatPartitions"/>,
/// on every worker: its functions take turns) and, on the worker that runs the periodic work only, expired rows
/// (<see cref="RowRetention"/>), so that replicas do not walk the same rows at once.
/// </summary>
public sealed class StorageMaintenanceService(
    HeartbeatPartitions partitions, RowRetention retention, PeriodicWorkService periodicWork, IOptions<MonitorOptions> options,
    ILogger<StorageMaintenanceService> logger) : BackgroundService
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

            if (!periodicWork.IsLeader)
            {
                continue;
            }
            try
            {
                var pruned = await retention.PruneAsync(stoppingToken);
                if (pruned.Total > 0)
                {
                    logger.LogInformation(
                        "Retention: deleted {StateChanges} state changes, {RiskModels} risk models, {RetiredSensorRisks} risk scores of retired sensors, {RiskHistory} past risk scores and {HeartbeatRollUps} hourly and daily roll-ups in {Elapsed} ms",
                        pruned.StateChanges, pruned.RiskModels, pruned.RetiredSensorRisks, pruned.RiskHistory, pruned.HeartbeatRollUps,
                        (long)pruned.Elapsed.TotalMilliseconds);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Deleting expired rows failed; what is left is retried next period");
            }
        }
    }
}
