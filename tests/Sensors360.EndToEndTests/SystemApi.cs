using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sensors360.EndToEndTests;

public sealed record Sensor(long Id, string Tag, string Key);

/// <summary>
/// The started system as scripts and sensors see it: the gateway with the Admin's bearer token, the ingestion API with
/// each sensor's key. Tests arrange data and read the truth here, and check the screen against it.
/// </summary>
public sealed class SystemApi : IDisposable
{
    SystemApi(HttpClient gateway, HttpClient ingestion)
    {
        Gateway = gateway;
        Ingestion = ingestion;
    }

    /// <summary>The gateway, as the Admin (bearer access token).</summary>
    public HttpClient Gateway { get; }

    /// <summary>The ingestion API's http endpoint (sensors' heartbeats).</summary>
    public HttpClient Ingestion { get; }

    public static async Task<SystemApi> CreateAsync(DistributedApplication app, Uri gateway, string username, string password)
    {
        var token = await AccessTokenAsync(gateway, username, password);
        var admin = NewClient(gateway);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new SystemApi(admin, NewClient(app.GetEndpoint("ingestion-api", "http")));
    }

    // Short-lived pooled connections: the gateway is restarted by one test, and a connection kept from before is dead.
    static HttpClient NewClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { UseCookies = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    static async Task<string> AccessTokenAsync(Uri gateway, string username, string password)
    {
        using var http = NewClient(gateway);
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        return (await ReadAsync(response, HttpStatusCode.OK, $"token for {username}")).GetProperty("accessToken").GetString()!;
    }

    static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Registers a sensor through the gateway; timings left out use the monitor's defaults (1 s, 0.5 s, 3 s here).</summary>
    public async Task<Sensor> RegisterAsync(string tag, object? labels = null,
        int? expectedIntervalSeconds = null, int? graceSeconds = null, int? staleAfterSeconds = null)
    {
        using var response = await Gateway.PostAsJsonAsync("/api/sensors", new { tag, labels, expectedIntervalSeconds, graceSeconds, staleAfterSeconds });
        var body = await ReadAsync(response, HttpStatusCode.Created, $"register {tag}");
        return new Sensor(body.GetProperty("id").GetInt64(), tag, body.GetProperty("key").GetString()!);
    }

    /// <summary>A sensor that stays up for an hour after a heartbeat (its own timings, not the tests' short defaults).</summary>
    public Task<Sensor> RegisterSteadyAsync(string tag, object? labels = null) =>
        RegisterAsync(tag, labels, expectedIntervalSeconds: 600, graceSeconds: 60, staleAfterSeconds: 3600);

    public async Task RetireAsync(long id)
    {
        using var response = await Gateway.PostAsync($"/api/sensors/{id}/retire", null);
        await ReadAsync(response, HttpStatusCode.OK, $"retire {id}");
    }

    public async Task CreateUserAsync(string username, string password, string role)
    {
        using var response = await Gateway.PostAsJsonAsync("/api/users", new { username, password, role });
        await ReadAsync(response, HttpStatusCode.Created, $"create user {username}");
    }

    public async Task<JsonElement> SensorAsync(long id)
    {
        using var response = await Gateway.GetAsync($"/api/sensors/{id}?heartbeats=0&flips=0");
        return await ReadAsync(response, HttpStatusCode.OK, $"sensor {id}");
    }

    public async Task<string> StateAsync(long id) => (await SensorAsync(id)).GetProperty("state").GetString()!;

    public async Task<JsonElement> StatsAsync()
    {
        using var response = await Gateway.GetAsync("/api/stats");
        return await ReadAsync(response, HttpStatusCode.OK, "stats");
    }

    /// <summary>Polls the API until the sensor is in <paramref name="state"/>.</summary>
    public async Task WaitForStateAsync(long id, string state, TimeSpan timeout)
    {
        var last = "";
        Assert.True(await Poll.UntilAsync(async () => (last = await StateAsync(id)) == state, timeout),
            $"Sensor {id} was still {last}, not {state}, after {timeout.TotalSeconds} s.");
    }

    public async Task<HttpStatusCode> PostHeartbeatsAsync(Sensor sensor, params DateTimeOffset[] timestamps)
    {
        var body = timestamps.Select(t => new { sensorId = sensor.Id, timestamp = t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ") });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/heartbeats") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sensor.Key);
        using var response = await Ingestion.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// Posts until accepted: a new sensor's key reaches the ingestion API through a registry event, so the first
    /// tries may answer 401.
    /// </summary>
    public async Task PostUntilAcceptedAsync(Sensor sensor, params DateTimeOffset[] timestamps)
    {
        var last = HttpStatusCode.Unused;
        Assert.True(await Poll.UntilAsync(async () => (last = await PostHeartbeatsAsync(sensor, timestamps)) == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(15)), $"Heartbeats of sensor {sensor.Id} were never accepted (last answer {(int)last}).");
    }

    /// <summary>Now, to the millisecond (what the API's timestamps carry).</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    /// <summary>
    /// <paramref name="count"/> heartbeats ending now, about <paramref name="interval"/> apart with some jitter: a sensor
    /// that has been reporting for a while.
    /// </summary>
    public static DateTimeOffset[] History(int count, TimeSpan interval, int seed)
    {
        var random = new Random(seed);
        var at = Now();
        var result = new DateTimeOffset[count];
        for (var i = count - 1; i >= 0; i--)
        {
            result[i] = at;
            at -= interval * (0.7 + 0.6 * random.NextDouble());
            at = new DateTimeOffset(at.Ticks - at.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        }
        return result;
    }

    public void Dispose()
    {
        Gateway.Dispose();
        Ingestion.Dispose();
    }
}
