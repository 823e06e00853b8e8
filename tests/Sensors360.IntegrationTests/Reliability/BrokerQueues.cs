using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RabbitMQ.Client;

namespace Sensors360.IntegrationTests.Reliability;

/// <summary>The app's queues as RabbitMQ's management API reports them.</summary>
public sealed class BrokerQueues(HttpClient management) : IDisposable
{
    public static async Task<BrokerQueues> CreateAsync(DistributedApplication app) => new(await app.CreateManagementClientAsync());

    /// <summary>The queue's description, or null if it does not exist.</summary>
    public async Task<JsonElement?> QueueAsync(string name)
    {
        using var response = await management.GetAsync($"/api/queues/%2F/{name}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>Reads one message and puts it back (RabbitMQ's "get, requeue").</summary>
    public async Task<JsonElement?> PeekAsync(string name)
    {
        using var response = await management.PostAsJsonAsync($"/api/queues/%2F/{name}/get",
            new { count = 1, ackmode = "ack_requeue_true", encoding = "auto", truncate = 1000 });
        response.EnsureSuccessStatusCode();
        var messages = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return messages.GetArrayLength() > 0 ? messages[0] : null;
    }

    /// <summary>
    /// Messages ready in the queue now, from the broker itself (a passive declare): the management API's counts are
    /// samples up to 5 s old.
    /// </summary>
    public static async Task<uint> ReadyMessagesAsync(DistributedApplication app, string queue)
    {
        await using var connection = await (await app.BrokerAsync()).ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;   // not declared yet: MassTransit declares an _error queue with its first fault
        }
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await management.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    public void Dispose() => management.Dispose();
}
