using System.Net;
using Microsoft.Extensions.Options;
using Sensors360.Simulator.Demo;

namespace Sensors360.Simulator.Load;

/// <summary>Load mode: provisions the target, runs the load once, writes the report and stops the application.</summary>
public sealed class LoadService(
    LoadProvisioner provisioner, IOptions<LoadOptions> options, TimeProvider time, ILogger<LoadService> logger, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    private readonly LoadOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting before the load takes the CPU.
        await Task.Yield();
        try
        {
            var target = await provisioner.ProvisionAsync(stoppingToken);
            using var client = CreateClient(_options);
            await using var counter = _options.TargetsIngestion && !string.IsNullOrWhiteSpace(_options.DatabaseConnectionString)
                ? new PersistedCounter(_options.DatabaseConnectionString, target.SensorIds)
                : null;
            var runner = new LoadRunner(_options, target, client, time, counter is null ? null : counter.CountAsync, ProgressWriter.ForConsole());
            var report = LoadReport.Create(_options, target, await runner.RunAsync(stoppingToken));
            await WriteAsync(report);
            Environment.ExitCode = report.AnySucceeded ? 0 : 1;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Environment.ExitCode = 1;
        }
        catch (SimulatorException ex)
        {
            logger.LogCritical("The load did not run: {Message}", ex.Message);
            Environment.ExitCode = 1;
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The load did not run: {Message}", ex.Message);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    /// <summary>
    /// One client for every sender: a connection per sender, no proxy, cookies, redirects, decompression or
    /// trace headers, so that the requests are the same bytes whatever they are sent to.
    /// </summary>
    public static HttpClient CreateClient(LoadOptions options) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = options.Concurrency,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = options.RequestTimeout,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ActivityHeadersPropagator = null,
    })
    {
        Timeout = options.RequestTimeout,
    };

    private async Task WriteAsync(LoadReport report)
    {
        var markdown = report.ToMarkdown();
        if (!string.IsNullOrWhiteSpace(_options.JsonOutput))
        {
            await File.WriteAllTextAsync(_options.JsonOutput, report.ToJson() + Environment.NewLine, CancellationToken.None);
        }

        if (!string.IsNullOrWhiteSpace(_options.MarkdownOutput))
        {
            await File.WriteAllTextAsync(_options.MarkdownOutput, markdown, CancellationToken.None);
        }

        await Console.Out.WriteAsync(markdown);
        await Console.Out.FlushAsync(CancellationToken.None);
    }
}
