using MassTransit;
using Sensors360.IntegrationTests.Reliability;
using Sensors360.Messaging;

namespace Sensors360.IntegrationTests;

/// <summary>A message of a type no endpoint here consumes: MassTransit moves it to the endpoint's _skipped queue.</summary>
public sealed record BusTestUnhandled(Guid Id);

/// <summary>Receives on a per-instance (temporary) endpoint, which must stay a classic queue.</summary>
public sealed class BusTestInstanceConsumer : IConsumer<BusTestUnhandled>
{
    public Task Consume(ConsumeContext<BusTestUnhandled> context) => Task.CompletedTask;
}

/// <summary>
/// <c>Messaging:QuorumQueues=true</c> on a bus built with the product's <c>AddSensorsMessaging</c>, on the started
/// system's RabbitMQ, as the management API reports the queues it declares.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class QuorumQueuesTests(SensorsAppFixture fixture)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Durable_endpoints_and_their_error_and_skipped_queues_are_quorum_queues_and_per_instance_ones_stay_classic()
    {
        var queue = $"quorum-{Guid.NewGuid():N}";
        var perInstance = $"quorum-instance-{Guid.NewGuid():N}";
        var nobody = $"quorum-nobody-{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = (await fixture.App.GetConnectionStringAsync("messaging"))!,
            ["Messaging:QuorumQueues"] = "true",
        };
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        try
        {
            await using var bus = await ServiceBusHost.StartAsync(settings, queue, configure =>
                configure.AddConsumer<BusTestInstanceConsumer>().Endpoint(e =>
                {
                    e.Name = perInstance;
                    e.PerInstance();
                }));
            // A per-instance queue declared as a quorum queue would be refused (auto-delete), and the bus never healthy.
            Assert.True(await bus.WaitUntilHealthyAsync(Deadline), $"the bus is not healthy: {bus.Bus.CheckHealth().Description}");

            var endpointQueue = (await queues.QueueAsync(queue))!.Value;
            Assert.Equal("quorum", endpointQueue.GetProperty("type").GetString());
            Assert.True(endpointQueue.GetProperty("durable").GetBoolean());
            var instanceQueue = (await queues.GetAsync("/api/queues/%2F?columns=name,type,durable")).EnumerateArray()
                .Single(q => q.GetProperty("name").GetString()!.StartsWith(perInstance, StringComparison.Ordinal));
            Assert.Equal("classic", instanceQueue.GetProperty("type").GetString());
            Assert.False(instanceQueue.GetProperty("durable").GetBoolean());

            // The poison one is retried in memory, then moved to _error; it never goes back to the queue, so a quorum
            // queue's delivery limit does not come into it. The unhandled one is moved to _skipped.
            var good = new BusTestMessage(Guid.NewGuid());
            var poison = new BusTestMessage(Guid.NewGuid(), Poison: true);
            await bus.SendAsync(queue, poison);
            await bus.SendAsync(queue, new BusTestUnhandled(Guid.NewGuid()));
            await bus.SendAsync(queue, good);
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(bus.Log.AttemptsOf(good.Id) == 1), Deadline),
                "the good message was not delivered");
            foreach (var parked in new[] { $"{queue}_error", $"{queue}_skipped" })
            {
                Assert.True(await Poll.UntilAsync(async () => await BrokerQueues.ReadyMessagesAsync(fixture.App, parked) == 1, Deadline),
                    $"{parked} never held the message");
                Assert.Equal("quorum", (await queues.QueueAsync(parked))!.Value.GetProperty("type").GetString());
            }
            Assert.Equal(3, bus.Log.AttemptsOf(poison.Id));

            // Sent to a queue nobody has declared, a message is refused, not confirmed and dropped.
            await Assert.ThrowsAsync<MessageReturnedException>(() => bus.SendAsync(nobody, new BusTestMessage(Guid.NewGuid())));
        }
        finally
        {
            await BrokerNodesTests.DeleteEndpointAsync(fixture.App, queue);
            await BrokerNodesTests.DeleteEndpointAsync(fixture.App, nobody);
            foreach (var name in (await queues.GetAsync("/api/queues/%2F?columns=name")).EnumerateArray()
                .Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith(perInstance, StringComparison.Ordinal)))
            {
                await BrokerNodesTests.DeleteEndpointAsync(fixture.App, name);
            }
        }
    }
}
