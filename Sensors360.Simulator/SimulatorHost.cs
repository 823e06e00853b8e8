using Microsoft.Extensions.Options;
using Sensors360.Simulator.Api;
using Sensors360.Simulator.Demo;
using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator;

/// <summary>What every simulator mode shares: service defaults, validated options, the clock, the API clients.</summary>
public static class SimulatorHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        // appsettings.json is found next to the binary wherever the simulator is started from; the data directory
        // stays relative to the current directory.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddServiceDefaults();

        builder.Services.AddValidatedOptions<SimulatorOptions>(SimulatorOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);

        // The registry is Monitor.Worker's API: reached directly with the simulator's service key (ServiceAuth:Key), or
        // through the gateway with an operator's token.
        builder.Services.AddServiceKeyOptions(required: false);
        builder.Services.AddHttpClient(RegistryClient.HttpClientName).AddServiceKey();
        // The service defaults' resilience handler would retry 429 and 503 itself; the heartbeat client must see them.
        // RemoveAllResilienceHandlers is the documented way to opt one client out, still marked experimental.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(HeartbeatClient.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<SimulatorOptions>>().Value.RequestTimeout)
            .RemoveAllResilienceHandlers();
        builder.Services.AddHttpClient(RegistryClient.BulkHttpClientName)
            .ConfigureHttpClient(http => http.Timeout = TimeSpan.FromMinutes(5))
            .AddServiceKey()
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        builder.Services.AddSingleton<RegistryClient>();
        builder.Services.AddSingleton<HeartbeatClient>();
        builder.Services.AddSingleton<Mqtt.MqttHeartbeatClient>();
        builder.Services.AddSingleton<IHeartbeatSender>(HeartbeatProtocols.Select);
        builder.Services.AddSingleton<FleetStore>();
        builder.Services.AddSingleton<SimulatorStats>();
        builder.Services.AddSingleton<SimulatorState>();
        return builder;
    }

    /// <summary>Runs the host; invalid settings are reported as a plain list rather than a stack trace.</summary>
    public static async Task<int> RunAsync(IHost host)
    {
        if (await ReportInvalidAsync<SimulatorOptions>(host, "simulator"))
        {
            return 2;
        }

        await host.RunAsync();
        return Environment.ExitCode;
    }

    /// <summary>Validates <typeparamref name="TOptions"/> now and lists what is wrong on stderr.</summary>
    /// <returns>Whether they are invalid.</returns>
    public static async Task<bool> ReportInvalidAsync<TOptions>(IHost host, string what) where TOptions : class
    {
        try
        {
            _ = host.Services.GetRequiredService<IOptions<TOptions>>().Value;
            return false;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Invalid {what} settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", ex.Failures));
            return true;
        }
    }
}
