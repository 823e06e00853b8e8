using System.Net;
using Sensors360.Contracts;
using Sensors360.IntegrationTests.Reliability;

namespace Sensors360.IntegrationTests;

/// <summary>The whole system with <c>Messaging:QuorumQueues=true</c> on every service on the bus, as the ha topology runs it.</summary>
public sealed class QuorumSystemFixture : IAsyncLifetime
{
    DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SensorsApp.StartTimeout);
        _app = await SensorsApp.StartAsync(cts.Token, builder =>
        {
            foreach (var service in new[] { "ingestion-api", "monitor-worker", "realtime-gateway" })
            {
                builder.CreateResourceBuilder<ProjectResource>(service).WithEnvironment("Messaging__QuorumQueues", "true");
            }
        });
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class QuorumSystemCollection : ICollectionFixture<QuorumSystemFixture>
{
    public const string Name = "Started system with quorum queues";
}

[Collection(QuorumSystemCollection.Name)]
public sealed class QuorumSystemTests(QuorumSystemFixture fixture)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_posted_heartbeat_is_stored_through_the_heartbeats_quorum_queue()
    {
        await using var api = new SensorsApi(fixture.App);
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("quorum"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        var at = SensorsApi.RecentTime();

        using var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, at));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id, at) == 1, Deadline), "the heartbeat was not stored");
        Assert.Equal("quorum", (await queues.QueueAsync(QueueNames.Heartbeats))!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_poison_message_still_reaches_the_heartbeats_error_quorum_queue_while_the_rest_keep_flowing()
    {
        await using var api = new SensorsApi(fixture.App);
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        var (id, _) = await api.RegisterAsync(SensorsApi.UniqueTag("quorum-poison"));
        var errorQueue = $"{QueueNames.Heartbeats}_error";
        var errorsBefore = await BrokerQueues.ReadyMessagesAsync(fixture.App, errorQueue);
        var bus = await AppBus.CreateAsync(fixture.App);
        await bus.StartAsync();
        try
        {
            var now = DateTimeOffset.UtcNow;
            var good = SensorsApi.RecentTime(30);
            // No partition exists for 1990: the insert fails however often it is retried.
            await bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(id, new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), now)]));
            await bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(id, good, now)]));

            Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id, good) == 1, Deadline),
                "the good message behind the poison one was not stored");
            Assert.True(await Poll.UntilAsync(async () => await BrokerQueues.ReadyMessagesAsync(fixture.App, errorQueue) > errorsBefore, TimeSpan.FromSeconds(60)),
                $"the unstorable message never reached {errorQueue}");
            Assert.Equal("quorum", (await queues.QueueAsync(errorQueue))!.Value.GetProperty("type").GetString());
            Assert.Equal(1, await api.HeartbeatRowsAsync(id));
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
