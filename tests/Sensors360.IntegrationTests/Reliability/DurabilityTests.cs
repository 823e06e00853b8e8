using System.Text.Json;

namespace Sensors360.IntegrationTests.Reliability;

/// <summary>The broker-side settings durability rests on, read from RabbitMQ's management API.</summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class DurabilityTests(FaultsFixture fixture)
{
    [Fact]
    public async Task The_heartbeats_queue_is_durable_and_consumed_with_manual_acknowledgements()
    {
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        var queue = (await queues.QueueAsync("heartbeats"))!.Value;
        Assert.True(queue.GetProperty("durable").GetBoolean(), "heartbeats is not durable");
        Assert.False(queue.GetProperty("auto_delete").GetBoolean(), "heartbeats is auto-delete");

        // ack_required: the worker acknowledges each message itself, which MassTransit does after Consume returned,
        // i.e. after the transaction committed.
        JsonElement consumers = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            consumers = (await queues.QueueAsync("heartbeats"))!.Value.GetProperty("consumer_details");
            return consumers.GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(30)), "nobody consumes heartbeats");
        Assert.All(consumers.EnumerateArray(), c => Assert.True(c.GetProperty("ack_required").GetBoolean(), "a consumer with auto-ack"));
        var prefetch = consumers[0].GetProperty("prefetch_count").GetInt32();

        ScenarioResults.Record(new(
            "Setting: the heartbeats queue",
            "Durable, not auto-delete; consumed with manual acknowledgements (ack after the transaction commits)",
            $"durable: yes, auto-delete: no; {consumers.GetArrayLength()} consumer(s), " +
            $"ack_required true, prefetch {prefetch}", Met: true));
    }

    [Fact]
    public async Task The_ingestion_API_publishes_on_channels_in_confirm_mode()
    {
        // A heartbeat of its own, so that the API has published at least once whatever ran before.
        await using (var api = new SensorsApi(fixture.App))
        {
            var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("confirm-mode"));
            await api.WaitUntilKeyAcceptedAsync(id, key);
        }
        using var queues = await BrokerQueues.CreateAsync(fixture.App);
        string[] names = [];
        JsonElement[] channels = [];
        // Channel statistics appear with the management plugin's next collection (every 5 s). The channels that
        // published count: a client library may hold others open that never publish (topology, consuming).
        Assert.True(await Poll.UntilAsync(async () =>
        {
            var all = await queues.GetAsync("/api/channels");
            names = [.. all.EnumerateArray().Select(c => c.GetProperty("connection_details").GetProperty("name").GetString() ?? "")];
            var connections = await queues.GetAsync("/api/connections");
            // The API's publishing connection (MassTransit's), not its backlog probe's, which only reads a queue.
            var ingestion = connections.EnumerateArray()
                .Where(c => c.GetProperty("client_properties").TryGetProperty("connection_name", out var n)
                    && n.GetString()!.Contains("Ingestion", StringComparison.OrdinalIgnoreCase)
                    && !n.GetString()!.Contains("backlog probe", StringComparison.OrdinalIgnoreCase))
                .Select(c => c.GetProperty("name").GetString())
                .ToHashSet();
            channels = [.. all.EnumerateArray().Where(c => ingestion.Contains(c.GetProperty("connection_details").GetProperty("name").GetString())
                && c.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("publish", out var published) && published.GetInt64() > 0)];
            return channels.Length > 0;
        }, TimeSpan.FromSeconds(30)), $"no channel Ingestion.Api published on among {string.Join(", ", names)}");
        Assert.All(channels, c => Assert.True(c.GetProperty("confirm").GetBoolean(), $"channel {c.GetProperty("name")} is not in confirm mode"));

        ScenarioResults.Record(new(
            "Setting: publisher confirms",
            "Ingestion.Api answers 202 only after RabbitMQ confirmed the persistent message",
            $"all {channels.Length} channel(s) Ingestion.Api published on in confirm mode; messages sent with delivery mode 2 (see the backlog scenario)", Met: true));
    }
}
