using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Sensors360.IntegrationTests;

/// <summary>Two Monitor.Worker instances: exactly one runs the periodic work, and the other takes over when it dies.</summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerFailoverTests
{
    const string Name = "Worker failover";
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    static string WorkerAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var projectDirectory = Path.GetDirectoryName(new Projects.Monitor_Worker().ProjectPath)!;
        return Path.Combine(projectDirectory, "bin", configuration, "net10.0", "Monitor.Worker.dll");
    }

    static async Task<Process> StartSecondWorkerAsync(DistributedApplication app)
    {
        var start = new ProcessStartInfo("dotnet", [WorkerAssembly()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(WorkerAssembly())!,
        };
        start.Environment["ConnectionStrings__sensorsdb"] = await app.GetConnectionStringAsync("sensorsdb");
        start.Environment["ConnectionStrings__messaging"] = await app.GetConnectionStringAsync("messaging");
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Monitor__SnapshotPeriod"] = Period.ToString("c", CultureInfo.InvariantCulture);
        start.Environment["Monitor__ScanPeriod"] = Period.ToString("c", CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The bus instances that published a snapshot after <paramref name="since"/>.</summary>
    static Uri?[] PublishersSince(BusProbe probe, DateTimeOffset since) =>
        [.. probe.Snapshots.Where(s => s.At > since).Select(s => s.Source).Distinct()];

    [Fact]
    public async Task Exactly_one_worker_publishes_snapshots_and_the_other_takes_over_within_a_period_when_it_stops_or_is_killed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var app = await SensorsApp.StartAsync(cts.Token, builder =>
            builder.CreateResourceBuilder<ProjectResource>("monitor-worker")
                .WithEnvironment("Monitor__SnapshotPeriod", Period.ToString("c", CultureInfo.InvariantCulture))
                .WithEnvironment("Monitor__ScanPeriod", Period.ToString("c", CultureInfo.InvariantCulture)));
        await using var probe = await BusProbe.StartAsync(app);
        using var second = await StartSecondWorkerAsync(app);
        try
        {
            // Both run; for several periods every snapshot comes from one and the same instance.
            var watchFrom = DateTimeOffset.UtcNow.AddSeconds(3);
            Assert.True(await LocalProcesses.EventuallyAsync(
                () => Task.FromResult(probe.Snapshots.Count(s => s.At > watchFrom) >= 5), TimeSpan.FromSeconds(60)));
            var leader = Assert.Single(PublishersSince(probe, watchFrom));

            // Stop the AppHost's worker (graceful) ...
            var commands = app.Services.GetRequiredService<ResourceCommandService>();
            var stopped = await commands.ExecuteCommandAsync("monitor-worker", "resource-stop", cts.Token);
            Assert.True(stopped.Success, stopped.Message);
            await app.ResourceNotifications.WaitForResourceAsync("monitor-worker", KnownResourceStates.TerminalStates, cts.Token);
            var stoppedAt = DateTimeOffset.UtcNow;

            // ... and snapshots go on, from the other instance, within about a period.
            Assert.True(await LocalProcesses.EventuallyAsync(
                () => Task.FromResult(probe.Snapshots.Any(s => s.At > stoppedAt && s.Source != leader)), TimeSpan.FromSeconds(15)),
                "No other worker took over the snapshots.");
            var takeover = probe.Snapshots.First(s => s.At > stoppedAt && s.Source != leader);
            Assert.True(takeover.At - stoppedAt < Period * 3, $"Take-over took {(takeover.At - stoppedAt).TotalSeconds:0.0} s");
            var newLeader = takeover.Source;

            // Start the AppHost's worker again, then kill the leader outright (SIGKILL): the restarted one takes over.
            var started = await commands.ExecuteCommandAsync("monitor-worker", "resource-start", cts.Token);
            Assert.True(started.Success, started.Message);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("monitor-worker", cts.Token);
            second.Kill();
            await second.WaitForExitAsync(cts.Token);
            var killedAt = DateTimeOffset.UtcNow;
            Assert.True(await LocalProcesses.EventuallyAsync(
                () => Task.FromResult(probe.Snapshots.Any(s => s.At > killedAt && s.Source != newLeader)), TimeSpan.FromSeconds(15)),
                "No worker took over after the leader was killed.");
            var afterKill = probe.Snapshots.First(s => s.At > killedAt && s.Source != newLeader);
            Assert.True(afterKill.At - killedAt < Period * 3, $"Take-over after SIGKILL took {(afterKill.At - killedAt).TotalSeconds:0.0} s");
        }
        finally
        {
            if (!second.HasExited)
            {
                second.Kill(entireProcessTree: true);
                await second.WaitForExitAsync();
            }
        }
    }
}
