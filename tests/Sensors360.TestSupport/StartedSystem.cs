using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sensors360.TestSupport;

/// <summary>
/// The whole system started through the real AppHost in local infrastructure mode (the machine's PostgreSQL and
/// RabbitMQ), as the integration tests, the browser tests and the bench run it.
/// </summary>
public static class StartedSystem
{
    /// <param name="adminPassword">The first Admin's password (user "admin").</param>
    /// <param name="waitFor">Resources to wait for until healthy before returning.</param>
    /// <param name="configure">Settings of the caller's own (environment of a service, more resources…).</param>
    /// <param name="args">More AppHost arguments.</param>
    /// <param name="serviceOutput">The lowest level of the services' own console output to show (forwarded by Aspire).</param>
    public static async Task<DistributedApplication> StartAsync(
        string adminPassword, IEnumerable<string> waitFor, CancellationToken cancellationToken,
        Action<IDistributedApplicationTestingBuilder>? configure = null, string[]? args = null, LogLevel serviceOutput = LogLevel.Warning)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Sensors360_AppHost>(
            // The demo fleet would mix its sensors into the caller's own; a caller that wants it turns it on.
            ["--Infrastructure:Mode=local", "--Simulator:Enabled=false", $"--Parameters:admin-password={adminPassword}",
                .. ServiceKeys.AppHostArguments, .. args ?? []],
            cancellationToken);
        configure?.Invoke(builder);
        // No Aspire dashboard runs here: without this every service would export telemetry to nothing and, retrying
        // its last export, take over 10 s to stop (which DCP's stop command does not wait for).
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Error)
            .AddFilter("Sensors360.AppHost.Resources", serviceOutput)
            // Probes fail while servers boot; the resource state, not the log, is what callers wait on.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
            foreach (var name in waitFor)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken);
            }
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
