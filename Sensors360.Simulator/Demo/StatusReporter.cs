using Microsoft.Extensions.Options;

namespace Sensors360.Simulator.Demo;

/// <summary>
/// Prints <see cref="StatusLine"/> to stdout every <see cref="SimulatorOptions.StatusInterval"/>: a plain line
/// each time, since under Aspire stdout is the resource's log.
/// </summary>
public sealed class StatusReporter(
    SimulatorState state, SimulatorStats stats, IOptions<SimulatorOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StatusInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Console.Out.WriteLineAsync(StatusLine.Format(state.Fleet, state.Activity, stats.Snapshot(), time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
