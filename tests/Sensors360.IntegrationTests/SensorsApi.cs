using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>Test helpers that talk to the started system the way its clients do.</summary>
public sealed class SensorsApi(DistributedApplication app) : IAsyncDisposable
{
    readonly Lazy<Task<NpgsqlDataSource>> _db = new(async () => NpgsqlDataSource.Create((await app.GetConnectionStringAsync("sensorsdb"))!));

    /// <summary>Monitor.Worker's API, called as the gateway calls it.</summary>
    public HttpClient Worker { get; } = app.CreateWorkerClient();

    /// <summary>Alerting.Service's API (webhooks, alert channels and rules), called as the gateway calls it.</summary>
    public HttpClient Alerting { get; } = app.CreateAlertingClient();

    /// <summary>Monitor.Worker's <c>/internal/credentials</c>, called as the ingestion API calls it.</summary>
    public HttpClient Credentials { get; } = app.CreateHttpClient("monitor-worker").WithServiceKey(ServiceKeys.Ingestion);

    public HttpClient Ingestion { get; } = app.CreateHttpClient("ingestion-api", "http");

    public static string UniqueTag(string name) => $"{name}-{Guid.NewGuid():N}";

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public async Task<(long Id, string Key)> RegisterAsync(string tag, object? labels = null)
    {
        using var response = await Worker.PostAsJsonAsync("/api/sensors", new { tag, labels = labels ?? new { site = "north" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        return (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
    }

    public async Task<(long Id, string Key)> CreateCollectorKeyAsync(string name, object? selector = null)
    {
        using var response = await Worker.PostAsJsonAsync("/api/collector-keys", new { name, selector });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        return (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
    }

    public Task<HttpResponseMessage> PostHeartbeatsAsync(string? key, string json, string contentType = "application/json", bool bearer = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/heartbeats") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        Authorize(request, key, bearer);
        return Ingestion.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostLegacyAsync(string? key, string query)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v0/heartbeat?" + query);
        Authorize(request, key, bearer: false);
        return Ingestion.SendAsync(request);
    }

    static void Authorize(HttpRequestMessage request, string? key, bool bearer)
    {
        if (key is null)
        {
            return;
        }
        if (bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        else
        {
            request.Headers.Add("X-Api-Key", key);
        }
    }

    /// <summary>
    /// Posts with a collector key until the API knows the key (it learns of new keys from the registry's events) and
    /// returns that answer; asserts the key became known within <paramref name="deadline"/>.
    /// </summary>
    public async Task<HttpResponseMessage> PostWithCollectorKeyAsync(string collectorKey, string json, TimeSpan deadline)
    {
        HttpResponseMessage? response = null;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            response?.Dispose();
            response = await PostHeartbeatsAsync(collectorKey, json, bearer: false);
            return response.StatusCode != HttpStatusCode.Unauthorized;
        }, deadline), "The collector key was never known to the API.");
        return response!;
    }

    /// <summary>Posts until the API accepts the sensor's key (registry events reach the API asynchronously).</summary>
    public async Task WaitUntilKeyAcceptedAsync(long sensorId, string key, TimeSpan? deadline = null)
    {
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await PostHeartbeatsAsync(key, Heartbeat(sensorId, RecentTime(120)));
            return response.StatusCode == HttpStatusCode.Accepted;
        }, deadline ?? TimeSpan.FromSeconds(10)), $"The API never accepted sensor {sensorId}'s key.");
    }

    /// <summary>A distinct recent timestamp with millisecond precision (PostgreSQL keeps microseconds, .NET ticks).</summary>
    public static DateTimeOffset RecentTime(int secondsAgo = 0)
    {
        var now = DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).AddMilliseconds(-Random.Shared.Next(0, 60_000));
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    /// <summary><paramref name="ago"/> before now, on a whole second: a base for a run of distinct timestamps.</summary>
    public static DateTimeOffset WholeSecond(TimeSpan ago) =>
        new(DateTimeOffset.UtcNow.Subtract(ago).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public static string Heartbeat(long sensorId, DateTimeOffset at) =>
        JsonSerializer.Serialize(new { sensorId, timestamp = at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ") });

    public async Task<long> ScalarAsync(string sql, params object[] values)
    {
        await using var command = (await _db.Value).CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
    }

    public async Task<string> TextAsync(string sql, params object[] values)
    {
        await using var command = (await _db.Value).CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    public async Task<DateTimeOffset> TimeAsync(string sql, params object[] values)
    {
        await using var command = (await _db.Value).CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!);
    }

    public Task<long> HeartbeatRowsAsync(long sensorId) => ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = $1", sensorId);

    public Task<long> HeartbeatRowsAsync(long sensorId, DateTimeOffset at) =>
        ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = $1 AND sensor_time = $2", sensorId, at.ToUniversalTime());

    public async ValueTask DisposeAsync()
    {
        Worker.Dispose();
        Credentials.Dispose();
        Ingestion.Dispose();
        if (_db.IsValueCreated)
        {
            await (await _db.Value).DisposeAsync();
        }
    }
}
