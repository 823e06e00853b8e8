using System.Diagnostics;

namespace Sensors360.IntegrationTests.Reliability;

[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class DatabaseOutageTests(FaultsFixture fixture)
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task With_PostgreSQL_down_for_20_seconds_under_load_every_accepted_heartbeat_is_stored_once_and_none_is_parked_in_the_error_queue()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var load = await HeartbeatLoad.CreateAsync(fixture.App, "pg-outage", sensorCount: 10);
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        var errorsBefore = await BrokerQueues.ReadyMessagesAsync(fixture.App, "heartbeats_error");
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 4, batchSize: 100, TimeSpan.FromMilliseconds(100), stop.Token);

        long acceptedDuringOutage;
        try
        {
            Assert.True(await Poll.UntilAsync(async () => await load.RowsAsync() > 1_000, TimeSpan.FromSeconds(60)));
            await fixture.StopAsync("postgres", cts.Token);
            var acceptedAtStop = load.Accepted;
            await Task.Delay(Outage, cts.Token);   // the fault's duration, not a wait for an outcome
            acceptedDuringOutage = load.Accepted - acceptedAtStop;
            await fixture.StartAsync("postgres", cts.Token);

            var acceptedAtRestart = load.Accepted;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(load.Accepted > acceptedAtRestart + 2_000), TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            await fixture.RestoreAsync("postgres");
        }
        var clock = Stopwatch.StartNew();
        var tally = await load.SettleAsync(TimeSpan.FromMinutes(2));
        var drain = clock.Elapsed;
        var parked = (long)await BrokerQueues.ReadyMessagesAsync(fixture.App, "heartbeats_error") - errorsBefore;

        var met = tally.Lost == 0 && tally.Duplicated == 0 && parked == 0;
        ScenarioResults.Record(new(
            "PostgreSQL stopped for 20 s under load (4 clients × 100 heartbeats per request)",
            "Every accepted heartbeat stored exactly once after PostgreSQL is back; none parked in heartbeats_error",
            $"{acceptedDuringOutage} accepted during the outage; all stored {drain.TotalSeconds:0.0} s after the load stopped; {parked} new in heartbeats_error; {tally}",
            tally.Accepted, tally.Lost, tally.Duplicated, met));
        Assert.True(met, $"{tally}; {parked} messages parked in heartbeats_error");
    }
}
