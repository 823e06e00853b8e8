using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Trace;

namespace Sensors360.Simulator.Load;

/// <summary>
/// <c>load</c>: sends heartbeats at a target rate (or as fast as they are taken) for a set time and reports accepted/s,
/// refusals by status, client latency and, given the database, heartbeats stored per second and the drain time.
/// </summary>
public static class LoadCommand
{
    public const string Name = "load";

    public static async Task<int> RunAsync(string[] args)
    {
        using var host = CreateBuilder(args).Build();
        if (await SimulatorHost.ReportInvalidAsync<LoadOptions>(host, "load"))
        {
            return 2;
        }

        return await SimulatorHost.RunAsync(host);
    }

    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = SimulatorHost.CreateBuilder(args);
        builder.Services.AddValidatedOptions<LoadOptions>(LoadOptions.Section);

        // stdout carries the report only: logs go to stderr, with the progress line, and the host keeps quiet.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // No span per request: at tens of thousands a second they would cost the tool CPU and bury the services'
        // own traces in the dashboard. (Metrics stay: they are aggregated.)
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new AlwaysOffSampler()));

        builder.Services.AddSingleton<LoadProvisioner>();
        builder.Services.AddHostedService<LoadService>();
        return builder;
    }
}
