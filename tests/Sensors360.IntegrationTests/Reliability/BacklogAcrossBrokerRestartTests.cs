using System.Diagnostics;

namespace Sensors360.IntegrationTests.Reliability;

[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class BacklogAcrossBrokerRestartTests(FaultsFixture fixture)
{
    const int Batches = 50;
    const int BatchSize = 100;

    [Fact]
    public async Task Five_thousand_heartbeats_queued_while_the_worker_is_down_survive_a_broker_restart_and_are_stored_once()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var load = await HeartbeatLoad.CreateAsync(fixture.App, "backlog", sensorCount: 10);
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        Assert.Equal(0, (await load.SettleAsync(TimeSpan.FromSeconds(30))).Lost);
        var before = load.Accepted;

        Tally tally;
        TimeSpan drain;
        uint queuedBefore, queuedAfter;
        try
        {
            await fixture.StopAsync("monitor-worker", cts.Token);
            await load.PostBatchesAsync(workers: 4, BatchSize, Batches, TimeSpan.FromMinutes(1));
            Assert.Equal(before + Batches * BatchSize, load.Accepted);

            // What waits in the queue is persistent (delivery mode 2), so it outlives the broker.
            var message = await queues.PeekAsync("heartbeats");
            Assert.NotNull(message);
            Assert.Equal(2, message.Value.GetProperty("properties").GetProperty("delivery_mode").GetInt32());
            queuedBefore = await BrokerQueues.ReadyMessagesAsync(fixture.App, "heartbeats");
            Assert.True(queuedBefore > 0, "nothing waits in the heartbeats queue");

            await fixture.StopAsync("messaging", cts.Token);
            await fixture.StartAsync("messaging", cts.Token);
            queuedAfter = await BrokerQueues.ReadyMessagesAsync(fixture.App, "heartbeats");
            Assert.Equal(queuedBefore, queuedAfter);

            await fixture.StartAsync("monitor-worker", cts.Token);
            var clock = Stopwatch.StartNew();
            tally = await load.SettleAsync(TimeSpan.FromMinutes(2));
            drain = clock.Elapsed;
        }
        finally
        {
            await fixture.RestoreAsync("messaging");
            await fixture.RestoreAsync("monitor-worker");
        }

        ScenarioResults.Record(new(
            "Backlog across a RabbitMQ restart: worker stopped, 5,000 heartbeats accepted (10 sensors, batches of 100), RabbitMQ restarted, worker started",
            "Every accepted heartbeat stored exactly once",
            $"{queuedBefore} persistent messages (delivery mode 2) queued before the restart, {queuedAfter} after; all stored {drain.TotalSeconds:0.0} s after the worker was healthy again; {tally}",
            tally.Accepted, tally.Lost, tally.Duplicated, tally.Lost == 0 && tally.Duplicated == 0));
        Assert.True(tally.Lost == 0 && tally.Duplicated == 0, tally.ToString());
        Assert.Equal(tally.Accepted, tally.Rows);
    }
}
