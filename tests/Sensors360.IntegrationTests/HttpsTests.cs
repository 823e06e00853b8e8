using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>
/// With a certificate configured: HTTPS on the gateway and the ingestion API, browsers sent from plain HTTP to HTTPS,
/// API calls over plain HTTP refused (heartbeats excepted: legacy sensor firmware), HSTS, Secure __Host- cookies; and
/// webhooks, which this system allows no private network, refused when a host name resolves to loopback.
/// </summary>
[Collection(TlsSystemCollection.Name)]
public sealed class HttpsTests(TlsSystemFixture fixture)
{
    readonly DistributedApplication _app = fixture.App;

    HttpClient Https(string resource, CookieContainer? cookies = null)
    {
        var handler = TestCertificate.Trusting(fixture.Certificate);
        handler.AllowAutoRedirect = false;
        if (cookies is not null)
        {
            handler.CookieContainer = cookies;
        }
        else
        {
            handler.UseCookies = false;
        }
        return new HttpClient(handler) { BaseAddress = _app.GetEndpoint(resource, "https"), Timeout = TimeSpan.FromSeconds(30) };
    }

    HttpClient PlainHttp(string resource) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = _app.GetEndpoint(resource, "http"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    static string SetCookie(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [], v => v.StartsWith(name + "=", StringComparison.Ordinal));

    [Theory]
    [InlineData("realtime-gateway")]
    [InlineData("ingestion-api")]
    public async Task Both_doors_serve_HTTPS_and_send_a_browser_asking_for_a_page_over_plain_HTTP_to_the_same_address_over_HTTPS(string resource)
    {
        using var https = Https(resource);
        using (var health = await https.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var http = PlainHttp(resource);
        foreach (var (accept, fetchMode) in new[] { ("text/html,application/xhtml+xml,*/*;q=0.8", "navigate"), ("text/html", (string?)null) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/sensors/42?tab=history&x=%C3%A9");
            request.Headers.Accept.ParseAdd(accept);
            if (fetchMode is not null)
            {
                request.Headers.Add("Sec-Fetch-Mode", fetchMode);
            }

            using var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
            var httpsPort = _app.GetEndpoint(resource, "https").Port;
            Assert.Equal($"https://localhost:{httpsPort}/sensors/42?tab=history&x=%C3%A9", response.Headers.Location?.AbsoluteUri);
        }

        // Probes (the AppHost's, an orchestrator's) keep plain HTTP.
        using var probe = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    [Fact]
    public async Task Over_plain_HTTP_the_gateway_refuses_API_calls_and_sign_ins_with_403_naming_the_HTTPS_address_and_sets_no_cookie()
    {
        using var http = PlainHttp("realtime-gateway");
        var token = await TokenOverHttpsAsync();
        var httpsPort = _app.GetEndpoint("realtime-gateway", "https").Port;

        using var login = await http.PostAsJsonAsync("/api/auth/login", new { username = Gateway.Admin, password = SensorsApp.AdminPassword });
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/sensors") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var list = await http.SendAsync(read);
        foreach (var response in new[] { login, list })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains($"https://localhost:{httpsPort}/api/", detail);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }

        var upgrade = await Gateway.RefusedUpgradeAsync(_app.GetEndpoint("realtime-gateway", "http"),
            options => options.SetRequestHeader("Authorization", $"Bearer {token}"));
        Assert.Equal(HttpStatusCode.Forbidden, upgrade);
    }

    async Task<string> TokenOverHttpsAsync()
    {
        using var https = Https("realtime-gateway");
        using var response = await https.PostAsJsonAsync("/api/auth/token", new { username = Gateway.Admin, password = SensorsApp.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await SensorsApi.JsonAsync(response)).GetProperty("accessToken").GetString()!;
    }

    [Fact]
    public async Task Sensors_still_post_heartbeats_over_plain_HTTP_for_legacy_firmware()
    {
        await using var api = new SensorsApi(_app);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("plain-http-sensor"));

        await api.WaitUntilKeyAcceptedAsync(id, key);

        Assert.Equal("http", api.Ingestion.BaseAddress!.Scheme);
        using var legacy = await api.PostLegacyAsync(key, $"sensor_id={id}&timestamp={DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeMilliseconds()}");
        Assert.Equal(HttpStatusCode.Accepted, legacy.StatusCode);
    }

    [Theory]
    [InlineData("realtime-gateway")]
    [InlineData("ingestion-api")]
    public async Task HTTPS_answers_carry_HSTS(string resource)
    {
        using var https = Https(resource);
        // ASP.NET leaves HSTS out for localhost, so that a developer's browser does not pin every local port to HTTPS.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = "sensors360.example";

        using var response = await https.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no Strict-Transport-Security header");
        Assert.StartsWith("max-age=", Assert.Single(hsts));
    }

    [Fact]
    public async Task The_session_and_antiforgery_cookies_are_Secure_host_only_and_named_with_the_Host_prefix_and_they_work()
    {
        var cookies = new CookieContainer();
        using var browser = Https("realtime-gateway", cookies);

        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { username = Gateway.Admin, password = SensorsApp.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var session = SetCookie(login, "__Host-sensors360.session");
        using var antiforgery = await browser.GetAsync("/api/auth/antiforgery");
        Assert.Equal(HttpStatusCode.OK, antiforgery.StatusCode);
        var antiforgeryCookie = SetCookie(antiforgery, "__Host-sensors360.antiforgery");
        foreach (var cookie in new[] { session, antiforgeryCookie })
        {
            var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToArray();
            Assert.Contains("secure", attributes);
            Assert.Contains("path=/", attributes);
            Assert.Contains("samesite=strict", attributes);
            Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
        }
        Assert.Contains("httponly", session.ToLowerInvariant());

        // The renamed cookies are the ones the gateway reads: the session answers, a write with the token goes through.
        using (var me = await browser.GetAsync("/api/auth/me"))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }
        var token = (await SensorsApi.JsonAsync(antiforgery)).GetProperty("token").GetString()!;
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout") { Headers = { { "X-XSRF-TOKEN", token } } };
        using var loggedOut = await browser.SendAsync(logout);
        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
    }

    [Fact]
    public async Task A_webhook_whose_host_name_resolves_to_loopback_is_refused_when_the_delivery_connects_and_the_attempt_says_why()
    {
        await using var api = new SensorsApi(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        // Accepted: a host name, unlike an address, can only be judged when a delivery connects (and DNS may change).
        var url = receiver.Url("/rebound").Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        using var created = await api.Alerting.PostAsJsonAsync("/api/webhooks", new { url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhookId = (await SensorsApi.JsonAsync(created)).GetProperty("id").GetInt64();
        try
        {
            var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("rebound"));
            await api.WaitUntilKeyAcceptedAsync(id, key);

            JsonElement webhook = default;
            Assert.True(await Poll.UntilAsync(async () =>
            {
                webhook = await api.Alerting.GetFromJsonAsync<JsonElement>($"/api/webhooks/{webhookId}");
                return webhook.GetProperty("deliveriesFailed").GetInt64() > 0;
            }, TimeSpan.FromSeconds(30)), $"no failed delivery recorded: {webhook}");

            var error = webhook.GetProperty("lastError").GetString()!;
            Assert.StartsWith("Not sent: localhost resolves to ", error);
            Assert.Contains("private, loopback, link-local or otherwise non-public range", error);
            Assert.Equal(JsonValueKind.Null, webhook.GetProperty("lastStatusCode").ValueKind);
            Assert.Equal(0, webhook.GetProperty("deliveriesSucceeded").GetInt64());
            Assert.Empty(receiver.For("/rebound", id));
        }
        finally
        {
            using var _ = await api.Alerting.DeleteAsync($"/api/webhooks/{webhookId}");
        }
    }
}
