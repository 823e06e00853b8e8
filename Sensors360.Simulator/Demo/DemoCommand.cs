namespace Sensors360.Simulator.Demo;

/// <summary>
/// <c>demo</c>: a fleet with scripted deaths, degradation and flapping, registered through the registry and
/// beating through the ingestion API, with the script written to <c>ground-truth.csv</c>.
/// </summary>
public static class DemoCommand
{
    public const string Name = "demo";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = SimulatorHost.CreateBuilder(args);
        builder.Services.AddSingleton<FleetProvisioner>();
        builder.Services.AddHostedService<DemoService>();
        builder.Services.AddHostedService<StatusReporter>();

        using var host = builder.Build();
        return await SimulatorHost.RunAsync(host);
    }
}
