using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ingestion.Api.Credentials;

/// <summary>Not ready until the first credential load: before that every request would be refused.</summary>
public sealed class CredentialsHealthCheck(CredentialCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.LoadedAt is { } loadedAt
            ? HealthCheckResult.Healthy($"{cache.Current.SensorCount} sensors and {cache.Current.CollectorCount} collector keys, loaded {loadedAt:O}")
            : HealthCheckResult.Unhealthy("Credentials not loaded yet from Monitor.Worker."));
}
