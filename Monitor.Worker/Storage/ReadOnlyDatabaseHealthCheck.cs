using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitor.Worker.Storage;

/// <summary>
/// Which server answers the read-only queries (registered only when <c>sensorsdb-readonly</c> is given): healthy when
/// a standby does; degraded — never unhealthy — when only the primary does (the standby is down, and a multi-host
/// string fell back) or none does, since the worker's own work needs only the primary, which its own check watches.
/// </summary>
public sealed class ReadOnlyDatabaseHealthCheck(ReadOnlyDatabase reads) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await reads.DataSource.OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT pg_is_in_recovery()";
            var standby = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
            var server = $"{connection.Host}:{connection.Port}";
            return standby
                ? HealthCheckResult.Healthy($"a standby answers reads ({server})")
                : HealthCheckResult.Degraded($"the primary answers reads ({server}): no standby does");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("no server answers reads", ex);
        }
    }
}
