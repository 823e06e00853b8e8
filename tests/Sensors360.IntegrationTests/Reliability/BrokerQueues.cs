using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

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

    /// <summary>Messages in the queue (ready and unacknowledged); 0 if it does not exist.</summary>
    public async Task<long> DepthAsync(string name) =>
        await QueueAsync(name) is { } queue && queue.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number
            ? messages.GetInt64()
            : 0;

    /// <summary>Reads one message and puts it back (RabbitMQ's "get, requeue").</summary>
    public async Task<JsonElement?> PeekAsync(string name)
    {
        using var response = await management.PostAsJsonAsync($"/api/queues/%2F/{name}/get",
            new { count = 1, ackmode = "ack_requeue_true", encoding = "auto", truncate = 1000 });
        response.EnsureSuccessStatusCode();
        var messages = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return messages.GetArrayLength() > 0 ? messages[0] : null;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await management.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    public void Dispose() => management.Dispose();
}
