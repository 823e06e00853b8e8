using System.Diagnostics;
using System.Globalization;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>Two Monitor.Worker instances: exactly one runs the periodic work, and the other takes over when it dies.</summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerFailoverTests
{
    const string Name = "Worker failover";
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    static async Task<ChildProcess> StartSecondWorkerAsync(DistributedApplication app) =>
        ChildProcess.StartDotnet(BuiltProjects.AssemblyOf(new Projects.Monitor_Worker()), new Dictionary<string, string?>
        {
            // A replica signs in as the service does.
            ["ConnectionStrings__sensorsdb"] = await app.GetConnectionStringAsync(ServiceAccess.MonitorWorkerDatabase.ResourceName),
            ["ConnectionStrings__messaging"] = await app.GetConnectionStringAsync(ServiceAccess.MonitorWorkerBroker.ResourceName),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ServiceAuth__Callers__gateway"] = ServiceKeys.Gateway,
            ["Monitor__SnapshotPeriod"] = Period.ToString("c", CultureInfo.InvariantCulture),
            ["Monitor__ScanPeriod"] = Period.ToString("c", CultureInfo.InvariantCulture),
        });

    /// <summary>The bus instances that published a snapshot after <paramref name="since"/>.</summary>
    static Uri?[] PublishersSince(BusProbe probe, DateTimeOffset since) =>
        [.. probe.Snapshots.Where(s => s.At > since).Select(s => s.Source).Distinct()];

    static int AppHostWorkerPid(DistributedApplication app)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState("monitor-worker", out var state), "monitor-worker has no state");
        var pid = state!.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        Assert.NotNull(pid);
        return Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    static async Task<Uri?> TakeoverAfterAsync(BusProbe probe, DateTimeOffset since, Uri? previousLeader, string what)
    {
        Assert.True(await Poll.UntilAsync(
            () => Task.FromResult(probe.Snapshots.Any(s => s.At > since && s.Source != previousLeader)), TimeSpan.FromSeconds(15)),
            $"No other worker took over the snapshots after {what}.");
        var takeover = probe.Snapshots.First(s => s.At > since && s.Source != previousLeader);
        Assert.True(takeover.At - since < Period * 3, $"Take-over took {(takeover.At - since).TotalSeconds:0.0} s");
        return takeover.Source;
    }

    [Fact]
    public async Task Exactly_one_worker_publishes_snapshots_and_another_takes_over_within_a_period_when_the_leader_is_killed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var app = await SensorsApp.StartAsync(cts.Token, builder =>
            builder.CreateResourceBuilder<ProjectResource>("monitor-worker")
                .WithEnvironment("Monitor__SnapshotPeriod", Period.ToString("c", CultureInfo.InvariantCulture))
                .WithEnvironment("Monitor__ScanPeriod", Period.ToString("c", CultureInfo.InvariantCulture)));
        await using var probe = await BusProbe.StartAsync(app);
        using var second = await StartSecondWorkerAsync(app);
        ChildProcess? third = null;
        try
        {
            // The AppHost's worker leads (it started first); for several periods every snapshot comes from it alone.
            var watchFrom = DateTimeOffset.UtcNow.AddSeconds(3);
            Assert.True(await Poll.UntilAsync(
                () => Task.FromResult(probe.Snapshots.Count(s => s.At > watchFrom) >= 5), TimeSpan.FromSeconds(60)));
            var leader = Assert.Single(PublishersSince(probe, watchFrom));

            // SIGKILL the leader: its session ends, PostgreSQL releases the lock, the standby takes over.
            Process.GetProcessById(AppHostWorkerPid(app)).Kill(entireProcessTree: true);
            var killedAt = DateTimeOffset.UtcNow;
            var newLeader = await TakeoverAfterAsync(probe, killedAt, leader, "the AppHost's worker was killed");

            // Once more, the other way round: a third worker stands by, the second (now leading) is killed.
            third = await StartSecondWorkerAsync(app);
            await Task.Yield();
            var thirdReady = DateTimeOffset.UtcNow;
            Assert.True(await Poll.UntilAsync(
                () => Task.FromResult(probe.Snapshots.Count(s => s.At > thirdReady) >= 3), TimeSpan.FromSeconds(30)));
            Assert.Equal(newLeader, Assert.Single(PublishersSince(probe, thirdReady)));
            second.Process.Kill();
            await second.Process.WaitForExitAsync(cts.Token);
            await TakeoverAfterAsync(probe, DateTimeOffset.UtcNow, newLeader, "the second worker was killed");
        }
        finally
        {
            foreach (var process in new[] { second, third })
            {
                if (process is not null)
                {
                    await process.StopAsync();
                }
            }
            third?.Dispose();
        }
    }
}
