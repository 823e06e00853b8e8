using System.Diagnostics;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests.Reliability;

[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class PoisonMessageTests(FaultsFixture fixture)
{
    [Fact]
    public async Task A_message_that_can_never_be_stored_reaches_the_durable_error_queue_within_seconds_while_the_rest_keep_flowing()
    {
        await using var api = new SensorsApi(fixture.App);
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        var (id, _) = await api.RegisterAsync(SensorsApi.UniqueTag("poison"));
        var errorsBefore = await BrokerQueues.ReadyMessagesAsync(fixture.App, "heartbeats_error");
        var bus = await AppBus.CreateAsync(fixture.App);
        await bus.StartAsync();
        try
        {
            var now = DateTimeOffset.UtcNow;
            var good = SensorsApi.RecentTime(30);
            var clock = Stopwatch.StartNew();
            // No partition exists for 1990: the insert fails however often it is retried.
            await bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(id, new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), now)]));
            await bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(id, good, now)]));

            Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id, good) == 1, TimeSpan.FromSeconds(30)),
                "the good message behind the poison one was not stored");
            var flowing = clock.Elapsed;
            Assert.True(await Poll.UntilAsync(async () => await BrokerQueues.ReadyMessagesAsync(fixture.App, "heartbeats_error") > errorsBefore, TimeSpan.FromSeconds(60)),
                "the unstorable message never reached heartbeats_error");
            var parked = clock.Elapsed;
            var errorQueue = (await queues.QueueAsync("heartbeats_error"))!.Value;
            Assert.True(errorQueue.GetProperty("durable").GetBoolean(), "heartbeats_error is not durable");
            Assert.Equal(1, await api.HeartbeatRowsAsync(id));

            ScenarioResults.Record(new(
                "A poison message (a timestamp no partition holds) followed by a good one",
                "Poison message in the durable heartbeats_error after 5 quick retries; the good one stored meanwhile",
                $"good one stored after {flowing.TotalSeconds:0.0} s; poison one in heartbeats_error after {parked.TotalSeconds:0.0} s",
                Lost: 0, Duplicated: 0, Met: true));
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
