using Microsoft.Extensions.Options;
using Sensors360.Simulator.Api;

namespace Sensors360.Simulator.Demo;

/// <summary>Demo mode: provisions the fleet, then beats until shutdown, replacing the fleet if the API forgot its keys.</summary>
public sealed class DemoService(
    FleetProvisioner provisioner, IHeartbeatSender client, SimulatorState state, SimulatorStats stats,
    IOptions<SimulatorOptions> options, TimeProvider time, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<DemoService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.LogInformation("Heartbeats go over {Transport}.", HeartbeatProtocols.IsMqtt(options.Value)
            ? $"MQTT to {options.Value.MqttAddress}, each sensor its own client (QoS 1)"
            : $"HTTP to {options.Value.IngestionUrl}");
        try
        {
            while (true)
            {
                var provisioned = await provisioner.EnsureFleetAsync(stoppingToken);
                var fleet = ActiveFleet.Start(provisioned.Fleet, options.Value);
                state.Fleet = fleet;
                var scheduler = new HeartbeatScheduler(fleet.Sensors, provisioned.Reused, client, stats, options.Value, time,
                    loggerFactory.CreateLogger<HeartbeatScheduler>());
                await scheduler.RunAsync(stoppingToken);

                // RunAsync returns only when the fleet was rejected; it has logged why.
                state.Fleet = null;
                state.Activity = "replacing the fleet";
                provisioner.Discard();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (SimulatorException ex)
        {
            Fail(ex.Message, exception: null);
        }
        catch (Exception ex)
        {
            Fail(ex.Message, ex);
        }
    }

    private void Fail(string message, Exception? exception)
    {
        _logger.LogCritical(exception, "The simulator stopped: {Message}", message);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }
}
