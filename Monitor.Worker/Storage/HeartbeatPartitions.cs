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
