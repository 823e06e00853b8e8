using System.Diagnostics;

namespace Sensors360.IntegrationTests.Reliability;

[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class WorkerKillTests(FaultsFixture fixture)
{
    [Fact]
    public async Task A_worker_killed_mid_batch_under_load_loses_and_duplicates_nothing_once_restarted()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var load = await HeartbeatLoad.CreateAsync(fixture.App, "kill", sensorCount: 10);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 4, batchSize: 100, TimeSpan.FromMilliseconds(100), stop.Token);

        Tally tally;
        TimeSpan drain, down;
        long storedAtKill;
        try
        {
            // Storing is under way: the worker holds unacknowledged batches when it dies.
            Assert.True(await Poll.UntilAsync(async () => await load.RowsAsync() > 2_000, TimeSpan.FromSeconds(60)));
            storedAtKill = await load.RowsAsync();
            Process.GetProcessById(fixture.ProcessIdOf("monitor-worker")).Kill(entireProcessTree: true);
            var killed = Stopwatch.StartNew();
            await fixture.App.ResourceNotifications.WaitForResourceAsync("monitor-worker", KnownResourceStates.TerminalStates, cts.Token);

            // The API keeps accepting while no worker runs; the queue holds what arrives.
            var acceptedAtKill = load.Accepted;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(load.Accepted > acceptedAtKill + 2_000), TimeSpan.FromSeconds(30)));
            await fixture.StartAsync("monitor-worker", cts.Token);
            down = killed.Elapsed;

            var acceptedAtRestart = load.Accepted;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(load.Accepted > acceptedAtRestart + 2_000), TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            await fixture.RestoreAsync("monitor-worker");
        }
        var clock = Stopwatch.StartNew();
        tally = await load.SettleAsync(TimeSpan.FromMinutes(2));
        drain = clock.Elapsed;

        ScenarioResults.Record(new(
            "Monitor.Worker SIGKILLed mid-batch under load (4 clients × 100 heartbeats per request), then started again",
            "Every accepted heartbeat stored exactly once (unacknowledged batches are redelivered; the primary key absorbs the replays)",
            $"killed after {storedAtKill} rows were stored; down {down.TotalSeconds:0.0} s until healthy again; all stored {drain.TotalSeconds:0.0} s after the load stopped; {tally}",
            tally.Accepted, tally.Lost, tally.Duplicated, tally.Lost == 0 && tally.Duplicated == 0));
        Assert.True(tally.Lost == 0 && tally.Duplicated == 0, tally.ToString());
    }
}
