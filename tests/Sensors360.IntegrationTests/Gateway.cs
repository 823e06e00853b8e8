using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>Test helpers that use the gateway the way operators' browsers and scripts do.</summary>
public static class Gateway
{
    public const string Admin = "admin";

    public static Uri BaseAddress(DistributedApplication app) => app.GetEndpoint("realtime-gateway", "http");

    public static HttpClient Anonymous(DistributedApplication app) =>
        new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = BaseAddress(app), Timeout = TimeSpan.FromSeconds(30) };

    public static HttpClient WithBearer(DistributedApplication app, string token)
    {
        var http = Anonymous(app);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static async Task<string> AccessTokenAsync(DistributedApplication app, string username, string password)
    {
        using var http = Anonymous(app);
        // Every test signs in from this one address, so the gateway's per-address sign-in throttle may ask it to wait:
        // it does, as a client should, within a deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
            if (response.StatusCode == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"token for {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return (await SensorsApi.JsonAsync(response)).GetProperty("accessToken").GetString()!;
        }
    }

    public static Task<string> AdminTokenAsync(DistributedApplication app) => AccessTokenAsync(app, Admin, SensorsApp.AdminPassword);

    /// <summary>A named API token with <paramref name="role"/>, created by the Admin.</summary>
    public static async Task<(long Id, string Token)> CreateApiTokenAsync(DistributedApplication app, string role, string? name = null)
    {
        using var admin = WithBearer(app, await AdminTokenAsync(app));
        using var response = await admin.PostAsJsonAsync("/api/tokens", new { name = name ?? $"{role} token {Guid.NewGuid():N}", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await SensorsApi.JsonAsync(response);
        return (body.GetProperty("id").GetInt64(), body.GetProperty("token").GetString()!);
    }

    public static async Task CreateUserAsync(DistributedApplication app, string username, string password, string role)
    {
        using var admin = WithBearer(app, await AdminTokenAsync(app));
        using var response = await admin.PostAsJsonAsync("/api/users", new { username, password, role });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static string UniqueUser(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    /// <summary>Opens /ws; <paramref name="configure"/> adds credentials and headers.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(Uri gateway, Action<ClientWebSocketOptions> configure, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure(socket.Options);
        var uri = new UriBuilder(gateway) { Scheme = gateway.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
        await socket.ConnectAsync(uri, cancellationToken);
        return socket;
    }

    /// <summary>The status code a refused /ws upgrade got.</summary>
    public static async Task<HttpStatusCode> RefusedUpgradeAsync(Uri gateway, Action<ClientWebSocketOptions> configure)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure(socket.Options);
        var uri = new UriBuilder(gateway) { Scheme = "ws", Path = "/ws" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        return socket.HttpStatusCode;
    }

    /// <summary>Reads frames until one matches, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> ReceiveUntilAsync(WebSocket socket, Func<string, JsonElement, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, cts.Token);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Assert.Fail($"The server closed the WebSocket ({result.CloseStatus}: {result.CloseStatusDescription}).");
                }
                var frame = JsonDocument.Parse(message.ToArray()).RootElement;
                var type = frame.GetProperty("type").GetString()!;
                if (match(type, frame.GetProperty("data")))
                {
                    return frame.GetProperty("data");
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching WebSocket frame within {timeout.TotalSeconds} s.");
        }
    }

    public static Task SendAsync(WebSocket socket, object message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);
}

/// <summary>A browser-like session: cookies, and the antiforgery token sent on writes.</summary>
public sealed class BrowserSession : IDisposable
{
    readonly CookieContainer _cookies = new();

    BrowserSession(DistributedApplication app) =>
        Http = new HttpClient(new SocketsHttpHandler { CookieContainer = _cookies }) { BaseAddress = Gateway.BaseAddress(app), Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http { get; }
    public string? AntiforgeryToken { get; private set; }
    public CookieCollection Cookies => _cookies.GetCookies(Http.BaseAddress!);

    public static async Task<BrowserSession> SignInAsync(DistributedApplication app, string username, string password)
    {
        var session = new BrowserSession(app);
        using var login = await session.Http.PostAsJsonAsync("/api/auth/login", new { username, password });
        Assert.True(login.StatusCode == HttpStatusCode.OK, $"login {username}: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        using var antiforgery = await session.Http.GetAsync("/api/auth/antiforgery");
        session.AntiforgeryToken = (await SensorsApi.JsonAsync(antiforgery)).GetProperty("token").GetString();
        return session;
    }

    public Task<HttpResponseMessage> WriteAsync(HttpMethod method, string path, object? json = null, bool withAntiforgery = true)
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent.Create(json) };
        if (withAntiforgery && AntiforgeryToken is not null)
        {
            request.Headers.Add("X-XSRF-TOKEN", AntiforgeryToken);
        }
        return Http.SendAsync(request);
    }

    /// <summary>The cookie header a browser would send to the WebSocket.</summary>
    public void AddCookiesTo(ClientWebSocketOptions options) => options.Cookies = _cookies;

    public void Dispose() => Http.Dispose();
}
