using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Sensors360.Messaging;

namespace Sensors360.IntegrationTests;

/// <summary>
/// A <c>messaging</c> connection string that lists several nodes, the first of them dead (a loopback port nothing
/// listens on) and the next the started system's RabbitMQ: the product's bus and backlog probe reach the live one.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class BrokerNodesTests(SensorsAppFixture fixture)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    async Task<string> DeadNodeFirstAsync()
    {
        var broker = await fixture.App.BrokerAsync();
        var dead = new BrokerNode("127.0.0.1", Ports.Free());
        return $"{ServiceBusHost.NodeUri(broker, dead)},{ServiceBusHost.NodeUri(broker, broker.Nodes[0])}";
    }

    [Fact]
    public async Task A_service_bus_whose_first_node_is_dead_connects_to_the_next_and_delivers()
    {
        var connectionString = await DeadNodeFirstAsync();
        var queue = $"dead-first-node-{Guid.NewGuid():N}";
        await using (var bus = await ServiceBusHost.StartAsync(
            new Dictionary<string, string?> { ["ConnectionStrings:messaging"] = connectionString }, queue))
        {
            Assert.True(await bus.WaitUntilHealthyAsync(Deadline), $"the bus never connected: {bus.Bus.CheckHealth().Description}");

            var message = new BusTestMessage(Guid.NewGuid());
            await bus.SendAsync(queue, message);
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(bus.Log.AttemptsOf(message.Id) == 1), Deadline),
                "the message sent through the live node was not delivered");
        }
        await DeleteEndpointAsync(fixture.App, queue);
    }

    [Fact]
    public async Task The_backlog_probe_reads_its_queue_through_the_live_node_when_the_first_is_dead()
    {
        var connectionString = await DeadNodeFirstAsync();
        var broker = BrokerAddress.Parse(connectionString);
        var queue = $"backlog-probe-nodes-{Guid.NewGuid():N}";
        await using var connection = await (await fixture.App.BrokerAsync()).ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync(exchange: "", routingKey: queue, mandatory: true, body: "{}"u8.ToArray());
        using var probe = new HeartbeatBacklog(broker,
            Options.Create(new HeartbeatBacklogOptions { ProbePeriod = TimeSpan.FromMilliseconds(100) }),
            TimeProvider.System, NullLogger<HeartbeatBacklog>.Instance, queue);
        await probe.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(probe.ReadyMessages == 1), Deadline),
                $"state {probe.Current.State}: {probe.Current.Problem}");
        }
        finally
        {
            await probe.StopAsync(CancellationToken.None);
            await channel.QueueDeleteAsync(queue);
        }
    }

    /// <summary>What a MassTransit endpoint declared: its queue and exchange, and those of its faults if any.</summary>
    internal static async Task DeleteEndpointAsync(DistributedApplication app, string queue)
    {
        using var management = await app.CreateManagementClientAsync();
        foreach (var name in new[] { queue, $"{queue}_error", $"{queue}_skipped" })
        {
            foreach (var kind in new[] { "queues", "exchanges" })
            {
                using var response = await management.DeleteAsync($"/api/{kind}/%2F/{name}");
                Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotFound,
                    $"deleting {kind} {name}: {(int)response.StatusCode}");
            }
        }
    }
}
