using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// Healthy when a fresh AMQP connection opens. A new connection per probe (not a cached one) so a broker that was
/// stopped and started again is seen as it is now.
/// </summary>
public sealed class RabbitMqConnectHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(connectionString), RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Cannot open an AMQP connection.", ex);
        }
    }
}
