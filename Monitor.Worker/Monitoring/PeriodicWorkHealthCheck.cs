using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitor.Worker.Monitoring;

/// <summary>Always healthy; says whether this replica runs the periodic work ("leader") or stands by.</summary>
public sealed class PeriodicWorkHealthCheck(PeriodicWorkService work) : IHealthCheck
{
    public const string Name = "periodic-work";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(work.IsLeader ? "leader" : "standby"));
}
