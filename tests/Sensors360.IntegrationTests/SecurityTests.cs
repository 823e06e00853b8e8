using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>
/// The security guarantees GatewayAuthTests, RealtimeTests and HeartbeatApiTests do not already prove (docs/security.md
/// lists which test proves what): origins, antiforgery on the gateway's own routes, writes above one's role,
/// lockout through the token endpoint, revoked tokens and sensor keys, and what is reachable from outside.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class SecurityTests(SensorsAppFixture fixture)
{
    const string Password = "a-long-enough-password";
    static readonly TimeSpan RegistryDeadline = TimeSpan.FromSeconds(5);

    readonly DistributedApplication _app = fixture.App;

    Uri GatewayUri => Gateway.BaseAddress(_app);

    [Theory]
    [InlineData("another port of the same host")]
    [InlineData("a look-alike host")]
    [InlineData("an opaque (sandboxed) page")]
    public async Task A_signed_in_browser_on_a_page_from_elsewhere_cannot_open_the_WebSocket(string page)
    {
        var own = GatewayUri;
        var origin = page switch
        {
            "another port of the same host" => $"{own.Scheme}://{own.Host}:{(own.Port == 1 ? 2 : 1)}",
            "a look-alike host" => $"{own.Scheme}://{own.Host}.evil.example:{own.Port}",
            _ => "null",
        };
        using var session = await BrowserSession.SignInAsync(_app, Gateway.Admin, SensorsApp.AdminPassword);

        Assert.Equal(HttpStatusCode.Forbidden, await Gateway.RefusedUpgradeAsync(own, options =>
        {
            session.AddCookiesTo(options);
            options.SetRequestHeader("Origin", origin);
        }));
    }

    [Fact]
    public async Task A_revoked_API_token_can_no_longer_open_the_WebSocket()
    {
        var (id, token) = await Gateway.CreateApiTokenAsync(_app, "Viewer");
        using (var socket = await Gateway.ConnectAsync(GatewayUri, o => o.SetRequestHeader("Authorization", $"Bearer {token}"), CancellationToken.None))
        {
            await Gateway.ReceiveUntilAsync(socket, (type, _) => type == "hello", TimeSpan.FromSeconds(10));
        }
        using (var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app)))
        using (var revoke = await admin.DeleteAsync($"/api/tokens/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized,
            await Gateway.RefusedUpgradeAsync(GatewayUri, o => o.SetRequestHeader("Authorization", $"Bearer {token}")));
    }

    [Fact]
    public async Task Cookie_writes_to_the_gateways_own_routes_need_this_sessions_antiforgery_token()
    {
        using var admin = await BrowserSession.SignInAsync(_app, Gateway.Admin, SensorsApp.AdminPassword);
        var operatorName = Gateway.UniqueUser("xsrf-operator");
        await Gateway.CreateUserAsync(_app, operatorName, Password, "Operator");
        using var other = await BrowserSession.SignInAsync(_app, operatorName, Password);
        var victim = Gateway.UniqueUser("xsrf-new");

        using (var without = await admin.WriteAsync(HttpMethod.Post, "/api/users", new { username = victim, password = Password, role = "Admin" }, withAntiforgery: false))
        {
            await BadHeartbeatInputTests.ProblemAsync(without, HttpStatusCode.BadRequest);
        }
        // A token is bound to the user it was issued to: another signed-in user's token does not do.
        using (var borrowed = new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = JsonContent.Create(new { username = victim, password = Password, role = "Admin" }) })
        {
            borrowed.Headers.Add("X-XSRF-TOKEN", other.AntiforgeryToken);
            using var response = await admin.Http.SendAsync(borrowed);
            await BadHeartbeatInputTests.ProblemAsync(response, HttpStatusCode.BadRequest);
        }
        using (var deleteWithout = await admin.WriteAsync(HttpMethod.Delete, $"/api/users/{operatorName}", withAntiforgery: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, deleteWithout.StatusCode);
        }

        using var bearer = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app));
        var users = await bearer.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/users");
        var names = users.EnumerateArray().Select(u => u.GetProperty("username").GetString()).ToList();
        Assert.DoesNotContain(victim, names);
        Assert.Contains(operatorName, names);
    }

    /// <summary>Writes above the caller's role; each must be 403 and change nothing.</summary>
    public static TheoryData<string, string, string> WritesAboveTheRole => new()
    {
        { "Viewer", "POST", "/api/sensors/{sensor}/rotate-key" },
        { "Viewer", "POST", "/api/sensors/{sensor}/replace" },
        { "Viewer", "POST", "/api/sensors/import" },
        { "Viewer", "POST", "/api/tokens" },
        { "Viewer", "POST", "/api/users" },
        { "Operator", "POST", "/api/users" },
        { "Operator", "PUT", "/api/users/{self}" },
        { "Operator", "DELETE", "/api/users/admin" },
        { "Operator", "POST", "/api/tokens" },
        { "Operator", "DELETE", "/api/tokens/{token}" },
        { "Operator", "POST", "/api/collector-keys" },
        { "Operator", "POST", "/api/webhooks" },
        { "Operator", "POST", "/api/alerts/channels" },
        { "Operator", "POST", "/api/alerts/rules" },
    };

    [Theory]
    [MemberData(nameof(WritesAboveTheRole))]
    public async Task A_write_above_the_callers_role_is_refused_with_403_and_changes_nothing(string role, string method, string template)
    {
        var (user, accessToken, tokenId) = await CallerAsync(role);
        await using var api = new SensorsApi(_app);
        var (sensorId, sensorKey) = await api.RegisterAsync(SensorsApi.UniqueTag("guarded"));
        var path = template.Replace("{sensor}", sensorId.ToString()).Replace("{self}", user).Replace("{token}", tokenId.ToString());
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = path.EndsWith("/import", StringComparison.Ordinal)
                ? new StringContent($"tag\n{SensorsApi.UniqueTag("guarded-import")}\n", Encoding.UTF8, "text/csv")
                : JsonContent.Create(new
                {
                    username = Gateway.UniqueUser("escalated"), password = Password, role = "Admin", name = "escalated",
                    url = "https://example.com/hook", selector = new { },
                }),
        };
        var before = await FingerprintAsync(api, sensorId, user);

        using var caller = Gateway.WithBearer(_app, accessToken);
        using var response = await caller.SendAsync(request);

        var problem = await BadHeartbeatInputTests.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains(role, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await FingerprintAsync(api, sensorId, user));
        Assert.Equal(ApiKeys.Hash(sensorKey), await api.TextAsync("SELECT key_hash FROM sensors WHERE id = $1", sensorId));
    }

    static readonly Dictionary<string, (DistributedApplication App, string User, string AccessToken, long TokenId)> s_callers = [];

    /// <summary>One signed-in user per role (and an API token to aim at), shared by the cases: sign-ins are slow by design.</summary>
    async Task<(string User, string AccessToken, long TokenId)> CallerAsync(string role)
    {
        if (!s_callers.TryGetValue(role, out var caller) || caller.App != _app)
        {
            var user = Gateway.UniqueUser(role.ToLowerInvariant());
            await Gateway.CreateUserAsync(_app, user, Password, role);
            var (tokenId, _) = await Gateway.CreateApiTokenAsync(_app, "Viewer");
            s_callers[role] = caller = (_app, user, await Gateway.AccessTokenAsync(_app, user, Password), tokenId);
        }
        return (caller.User, caller.AccessToken, caller.TokenId);
    }

    /// <summary>Counts of every table a write above the role could touch, and the caller's own role.</summary>
    static Task<string> FingerprintAsync(SensorsApi api, long sensorId, string user) => api.TextAsync("""
        SELECT concat_ws('/',
            (SELECT count(*) FROM sensors), (SELECT count(*) FROM sensors WHERE retired_at IS NOT NULL),
            (SELECT count(*) FROM collector_keys WHERE revoked_at IS NULL), (SELECT count(*) FROM alerting.webhooks),
            (SELECT count(*) FROM alerting.alert_channels), (SELECT count(*) FROM alerting.alert_rules),
            (SELECT count(*) FROM identity.users), (SELECT count(*) FROM identity.api_tokens WHERE revoked_at IS NULL),
            (SELECT string_agg(r.name, ',') FROM identity.users u JOIN identity.user_roles ur ON ur.user_id = u.id
                JOIN identity.roles r ON r.id = ur.role_id WHERE u.user_name = $1),
            (SELECT state FROM sensor_status WHERE id = $2))
        """, user, sensorId);

    [Fact]
    public async Task Failed_token_requests_count_towards_the_lockout_like_failed_sign_ins()
    {
        var user = Gateway.UniqueUser("brute");
        await Gateway.CreateUserAsync(_app, user, Password, "Admin");
        using var http = Gateway.Anonymous(_app);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var wrong = await http.PostAsJsonAsync("/api/auth/token", new { username = user, password = $"guess-number-{attempt}" });
            Assert.Equal(attempt < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, wrong.StatusCode);
        }

        using var right = await http.PostAsJsonAsync("/api/auth/login", new { username = user, password = Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("locked", (await SensorsApi.JsonAsync(right)).GetProperty("detail").GetString());
        Assert.DoesNotContain(right.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("sensors360.session=", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/api/auth/login", "{\"username\":")]
    [InlineData("/api/auth/token", "{\"username\":[\"admin\"],\"password\":1}")]
    [InlineData("/api/auth/login", "[]")]
    public async Task A_malformed_sign_in_is_a_400_problem_that_signs_nobody_in(string path, string body)
    {
        using var http = Gateway.Anonymous(_app);

        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        await BadHeartbeatInputTests.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(v => v.StartsWith("sensors360.session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_sensor_key_rotated_by_an_Operator_through_the_gateway_is_refused_on_both_routes_with_either_header()
    {
        await using var api = new SensorsApi(_app);
        using var operatorClient = Gateway.WithBearer(_app, (await Gateway.CreateApiTokenAsync(_app, "Operator")).Token);
        var (id, oldKey) = await api.RegisterAsync(SensorsApi.UniqueTag("rotated"));
        await api.WaitUntilKeyAcceptedAsync(id, oldKey);

        using var rotate = await operatorClient.PostAsync($"/api/sensors/{id}/rotate-key", null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var newKey = (await SensorsApi.JsonAsync(rotate)).GetProperty("key").GetString()!;

        // Probed as text/plain: an old key still known gets 415, so the probes never queue anything.
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await api.PostHeartbeatsAsync(oldKey, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()), "text/plain");
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, RegistryDeadline), "The old key still worked 5 s after the rotation.");
        using (var viaHeader = await api.PostHeartbeatsAsync(oldKey, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()), bearer: false))
        {
            await BadHeartbeatInputTests.ProblemAsync(viaHeader, HttpStatusCode.Unauthorized);
        }
        using (var legacy = await api.PostLegacyAsync(oldKey, $"sensor_id={id}&timestamp={DateTimeOffset.UtcNow.ToUnixTimeSeconds()}"))
        {
            await BadHeartbeatInputTests.ProblemAsync(legacy, HttpStatusCode.Unauthorized);
        }
        await api.WaitUntilKeyAcceptedAsync(id, newKey);
    }

    [Fact]
    public async Task Replacing_a_sensor_through_the_gateway_retires_the_old_key_and_the_new_key_covers_only_the_new_sensor()
    {
        await using var api = new SensorsApi(_app);
        using var operatorClient = Gateway.WithBearer(_app, (await Gateway.CreateApiTokenAsync(_app, "Operator")).Token);
        var (oldId, oldKey) = await api.RegisterAsync(SensorsApi.UniqueTag("replaced"));
        await api.WaitUntilKeyAcceptedAsync(oldId, oldKey);

        using var replace = await operatorClient.PostAsync($"/api/sensors/{oldId}/replace", null);
        Assert.Equal(HttpStatusCode.Created, replace.StatusCode);
        var body = await SensorsApi.JsonAsync(replace);
        var (newId, newKey) = (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);

        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await api.PostHeartbeatsAsync(oldKey, SensorsApi.Heartbeat(oldId, SensorsApi.RecentTime()), "text/plain");
            return response.StatusCode == HttpStatusCode.Forbidden;
        }, RegistryDeadline), "The replaced sensor's key still worked 5 s after the replacement.");
        await api.WaitUntilKeyAcceptedAsync(newId, newKey);
        using var forOld = await api.PostHeartbeatsAsync(newKey, SensorsApi.Heartbeat(oldId, SensorsApi.RecentTime()));
        Assert.Contains("belongs to sensor", (await BadHeartbeatInputTests.ProblemAsync(forOld, HttpStatusCode.Forbidden)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task From_outside_only_the_gateway_and_the_ingestion_API_are_reachable_and_neither_serves_the_monitors_internal_routes()
    {
        var model = _app.Services.GetRequiredService<DistributedApplicationModel>();
        var exposed = model.Resources.Where(r => r.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal)).Select(r => r.Name).Order();
        Assert.Equal(["ingestion-api", "realtime-gateway"], exposed);

        using var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app));
        await using var api = new SensorsApi(_app);
        string[] paths =
        [
            "/internal/credentials/sensors", "/internal/credentials/collectors", "/INTERNAL/credentials/sensors",
            "/api//internal/credentials/sensors", "/api/%2e%2e/internal/credentials/sensors", "/api/sensors/..%2F..%2Finternal%2Fcredentials%2Fsensors",
            "/api/internal/credentials/sensors",
        ];
        foreach (var path in paths)
        {
            foreach (var (client, name) in new[] { (admin, "gateway (as Admin)"), (api.Ingestion, "ingestion API") })
            {
                using var response = await client.GetAsync(path);
                var text = await response.Content.ReadAsStringAsync();
                Assert.False(text.Contains("keyHash", StringComparison.OrdinalIgnoreCase), $"{name} {path} served the credentials feed");
                Assert.False(response.StatusCode == HttpStatusCode.OK && text.TrimStart().StartsWith('{'), $"{name} {path}: 200 {text}");
            }
        }
    }
}
