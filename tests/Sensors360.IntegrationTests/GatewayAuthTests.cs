using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>The operators' front door: sign-in, lockout, roles per route, antiforgery, API tokens (HTTPS: HttpsTests).</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class GatewayAuthTests(SensorsAppFixture fixture)
{
    readonly DistributedApplication _app = fixture.App;
    const string Password = "a-long-enough-password";

    async Task<NpgsqlDataSource> DatabaseAsync() => NpgsqlDataSource.Create((await _app.GetConnectionStringAsync("sensorsdb"))!);

    [Fact]
    public async Task Signing_in_sets_an_HttpOnly_SameSite_Strict_session_cookie_and_me_shows_the_role_until_logout()
    {
        using var session = await BrowserSession.SignInAsync(_app, Gateway.Admin, SensorsApp.AdminPassword);
        var cookie = Assert.Single(session.Cookies, c => c.Name == "sensors360.session");
        Assert.True(cookie.HttpOnly);
        using (var me = await session.Http.GetAsync("/api/auth/me"))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            var body = await SensorsApi.JsonAsync(me);
            Assert.Equal("admin", body.GetProperty("username").GetString());
            Assert.Equal("Admin", body.GetProperty("role").GetString());
        }
        // SameSite is not exposed by CookieContainer: read the header itself.
        using var anonymous = Gateway.Anonymous(_app);
        using var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { username = Gateway.Admin, password = SensorsApp.AdminPassword });
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), v => v.StartsWith("sensors360.session=", StringComparison.Ordinal));
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);

        using (var logout = await session.WriteAsync(HttpMethod.Post, "/api/auth/logout"))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }
        using var after = await session.Http.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("application/problem+json", after.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_password_gets_401_and_five_failures_lock_the_account_until_an_Admin_resets_the_password()
    {
        var user = Gateway.UniqueUser("lock");
        await Gateway.CreateUserAsync(_app, user, Password, "Viewer");
        using var http = Gateway.Anonymous(_app);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var wrong = await http.PostAsJsonAsync("/api/auth/login", new { username = user, password = "not-the-password" });
            Assert.Equal(attempt < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, wrong.StatusCode);
        }
        // Locked: even the right password (and the token endpoint) is refused, with a Retry-After.
        using (var right = await http.PostAsJsonAsync("/api/auth/login", new { username = user, password = Password }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
            Assert.True(right.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(1), $"Retry-After: {right.Headers.RetryAfter}");
            Assert.Contains("locked", (await SensorsApi.JsonAsync(right)).GetProperty("detail").GetString());
        }
        using (var token = await http.PostAsJsonAsync("/api/auth/token", new { username = user, password = Password }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, token.StatusCode);
        }
        using (var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app)))
        {
            var users = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/users");
            Assert.True(users.EnumerateArray().Single(u => u.GetProperty("username").GetString() == user)
                .GetProperty("lockedOutUntil").ValueKind == System.Text.Json.JsonValueKind.String);
            using var reset = await admin.PutAsJsonAsync($"/api/users/{user}", new { password = Password + "-new" });
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }
        using var unlocked = await http.PostAsJsonAsync("/api/auth/login", new { username = user, password = Password + "-new" });
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
    }

    [Fact]
    public async Task An_unknown_user_gets_the_same_401_as_a_wrong_password()
    {
        using var http = Gateway.Anonymous(_app);
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username = Gateway.UniqueUser("ghost"), password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Wrong user name or password.", (await SensorsApi.JsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Passwords_are_stored_as_PBKDF2_HMAC_SHA512_with_600000_iterations()
    {
        var user = Gateway.UniqueUser("hash");
        await Gateway.CreateUserAsync(_app, user, Password, "Viewer");
        await using var db = await DatabaseAsync();
        await using var command = db.CreateCommand("SELECT password_hash FROM identity.users WHERE user_name = $1");
        command.Parameters.AddWithValue(user);
        var hash = Convert.FromBase64String((string)(await command.ExecuteScalarAsync())!);
        Assert.Equal(0x01, hash[0]); // Identity v3 format: PBKDF2
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(1))); // KeyDerivationPrf.HMACSHA512
        Assert.Equal(600_000u, BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5)));
        Assert.DoesNotContain(Password, System.Text.Encoding.UTF8.GetString(hash));
    }

    public static TheoryData<string, string, string, HttpStatusCode> RoutesByRole => new()
    {
        // role, method, path, expected status
        { "Viewer", "GET", "/api/sensors?limit=1", HttpStatusCode.OK },
        { "Viewer", "GET", "/api/sensors/export?tag=no-such-prefix", HttpStatusCode.OK },
        { "Viewer", "GET", "/api/stats", HttpStatusCode.OK },
        { "Viewer", "GET", "/api/maintenance/queue", HttpStatusCode.OK },
        { "Viewer", "POST", "/api/sensors", HttpStatusCode.Forbidden },
        { "Viewer", "GET", "/api/collector-keys", HttpStatusCode.Forbidden },
        { "Operator", "POST", "/api/sensors", HttpStatusCode.Created },
        { "Operator", "GET", "/api/collector-keys", HttpStatusCode.Forbidden },
        { "Operator", "GET", "/api/webhooks", HttpStatusCode.Forbidden },
        { "Operator", "GET", "/api/users", HttpStatusCode.Forbidden },
        { "Operator", "GET", "/api/tokens", HttpStatusCode.Forbidden },
        { "Admin", "GET", "/api/collector-keys", HttpStatusCode.OK },
        { "Admin", "GET", "/api/webhooks", HttpStatusCode.OK },
        { "Admin", "GET", "/api/users", HttpStatusCode.OK },
        { "Admin", "GET", "/api/tokens", HttpStatusCode.OK },
        { "Admin", "GET", "/api/audit?limit=1", HttpStatusCode.OK },
        { "Operator", "GET", "/api/audit", HttpStatusCode.Forbidden },
        { "", "GET", "/api/audit", HttpStatusCode.Unauthorized },
        { "Admin", "POST", "/api/sensors", HttpStatusCode.Created },
        { "", "GET", "/api/sensors", HttpStatusCode.Unauthorized },
        { "", "GET", "/api/sensors/export", HttpStatusCode.Unauthorized },
        { "Viewer", "PATCH", "/api/sensors/1", HttpStatusCode.Forbidden },
        { "", "GET", "/api/stats", HttpStatusCode.Unauthorized },
        { "", "GET", "/api/maintenance/queue", HttpStatusCode.Unauthorized },
        { "", "POST", "/api/sensors", HttpStatusCode.Unauthorized },
        { "", "GET", "/api/users", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(RoutesByRole))]
    public async Task Each_route_answers_per_role(string role, string method, string path, HttpStatusCode expected)
    {
        using var http = role.Length == 0 ? Gateway.Anonymous(_app) : Gateway.WithBearer(_app, (await Gateway.CreateApiTokenAsync(_app, role)).Token);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { tag = SensorsApi.UniqueTag("role") });
        }
        using var response = await http.SendAsync(request);
        Assert.True(expected == response.StatusCode, $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if ((int)expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_Viewer_cannot_retire_a_sensor_and_it_stays_in_service()
    {
        var api = new SensorsApi(_app);
        var (id, _) = await api.RegisterAsync(SensorsApi.UniqueTag("keep"));
        var user = Gateway.UniqueUser("viewer");
        await Gateway.CreateUserAsync(_app, user, Password, "Viewer");
        using var session = await BrowserSession.SignInAsync(_app, user, Password);

        using var retire = await session.WriteAsync(HttpMethod.Post, $"/api/sensors/{id}/retire");
        Assert.Equal(HttpStatusCode.Forbidden, retire.StatusCode);
        Assert.Contains("Viewer", (await SensorsApi.JsonAsync(retire)).GetProperty("detail").GetString());
        var detail = await session.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/sensors/{id}");
        Assert.Equal("new", detail.GetProperty("state").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, detail.GetProperty("retiredAt").ValueKind);
    }

    [Fact]
    public async Task Cookie_writes_need_the_antiforgery_token_and_bearer_writes_do_not()
    {
        var user = Gateway.UniqueUser("operator");
        await Gateway.CreateUserAsync(_app, user, Password, "Operator");
        using var session = await BrowserSession.SignInAsync(_app, user, Password);

        using (var without = await session.WriteAsync(HttpMethod.Post, "/api/sensors", new { tag = SensorsApi.UniqueTag("xsrf") }, withAntiforgery: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
            Assert.Contains("X-XSRF-TOKEN", (await SensorsApi.JsonAsync(without)).GetProperty("detail").GetString());
        }
        using (var forged = new HttpRequestMessage(HttpMethod.Post, "/api/sensors") { Content = JsonContent.Create(new { tag = SensorsApi.UniqueTag("xsrf") }) })
        {
            forged.Headers.Add("X-XSRF-TOKEN", "forged");
            using var response = await session.Http.SendAsync(forged);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        using (var with = await session.WriteAsync(HttpMethod.Post, "/api/sensors", new { tag = SensorsApi.UniqueTag("xsrf") }))
        {
            Assert.Equal(HttpStatusCode.Created, with.StatusCode);
        }
        using var bearer = Gateway.WithBearer(_app, await Gateway.AccessTokenAsync(_app, user, Password));
        using var scripted = await bearer.PostAsJsonAsync("/api/sensors", new { tag = SensorsApi.UniqueTag("bearer") });
        Assert.Equal(HttpStatusCode.Created, scripted.StatusCode);
    }

    [Fact]
    public async Task API_tokens_are_stored_hashed_work_with_their_role_and_stop_at_once_when_revoked_or_expired()
    {
        var (id, token) = await Gateway.CreateApiTokenAsync(_app, "Operator", "deploy script");
        await using var db = await DatabaseAsync();
        await using (var command = db.CreateCommand("SELECT hash FROM identity.api_tokens WHERE id = $1"))
        {
            command.Parameters.AddWithValue(id);
            var stored = (string)(await command.ExecuteScalarAsync())!;
            Assert.Equal(Sensors360.Contracts.ApiKeys.Hash(token), stored);
            Assert.NotEqual(token, stored);
        }
        using var http = Gateway.WithBearer(_app, token);
        var me = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/me");
        Assert.Equal("Operator", me.GetProperty("role").GetString());

        using (var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app)))
        {
            var listed = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/tokens");
            var entry = listed.EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == id);
            Assert.Equal("deploy script", entry.GetProperty("name").GetString());
            Assert.False(entry.TryGetProperty("token", out _));
            using var revoke = await admin.DeleteAsync($"/api/tokens/{id}");
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        using (var revoked = await http.GetAsync("/api/sensors?limit=1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
            Assert.Contains("revoked", (await SensorsApi.JsonAsync(revoked)).GetProperty("detail").GetString());
        }

        var (expiringId, expiring) = await Gateway.CreateApiTokenAsync(_app, "Viewer");
        using var expiringClient = Gateway.WithBearer(_app, expiring);
        using (var works = await expiringClient.GetAsync("/api/stats"))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }
        await using (var expire = db.CreateCommand("UPDATE identity.api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1"))
        {
            expire.Parameters.AddWithValue(expiringId);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }
        using var expired = await expiringClient.GetAsync("/api/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", (await SensorsApi.JsonAsync(expired)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Admins_manage_users_but_cannot_delete_themselves_and_a_deleted_users_token_stops_working()
    {
        using var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app));
        var user = Gateway.UniqueUser("temp");
        using (var weak = await admin.PostAsJsonAsync("/api/users", new { username = user, password = "short", role = "Viewer" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            Assert.True((await SensorsApi.JsonAsync(weak)).GetProperty("errors").TryGetProperty("password", out _));
        }
        using (var badRole = await admin.PostAsJsonAsync("/api/users", new { username = user, password = Password, role = "Superuser" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        }
        await Gateway.CreateUserAsync(_app, user, Password, "Viewer");
        using (var again = await admin.PostAsJsonAsync("/api/users", new { username = user, password = Password, role = "Viewer" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var promote = await admin.PutAsJsonAsync($"/api/users/{user}", new { role = "Operator" }))
        {
            Assert.Equal("Operator", (await SensorsApi.JsonAsync(promote)).GetProperty("role").GetString());
        }
        // A token issued after the promotion acts with the new role (RevocationTests: older ones stop working).
        using var asUser = Gateway.WithBearer(_app, await Gateway.AccessTokenAsync(_app, user, Password));
        using (var register = await asUser.PostAsJsonAsync("/api/sensors", new { tag = SensorsApi.UniqueTag("promoted") }))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        }

        using (var self = await admin.DeleteAsync("/api/users/admin"))
        {
            Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        }
        using (var delete = await admin.DeleteAsync($"/api/users/{user}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        using var after = await asUser.GetAsync("/api/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Sign_in_attempts_per_address_are_rate_limited_with_Retry_After()
    {
        using var http = Gateway.Anonymous(_app);
        HttpResponseMessage? limited = null;
        // Empty bodies fail validation without hashing anything, but each still spends a token.
        for (var i = 0; i < SensorsAppFixture.SignInBurst + 20 && limited is null; i++)
        {
            var response = await http.PostAsJsonAsync("/api/auth/login", new { });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                response.Dispose();
            }
        }
        Assert.NotNull(limited);
        using (limited)
        {
            Assert.NotNull(limited.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        }
        // The bucket refills (and later tests sign in again).
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await http.PostAsJsonAsync("/api/auth/login", new { });
            return response.StatusCode == HttpStatusCode.BadRequest;
        }, TimeSpan.FromSeconds(30)));
    }

    /// <summary>A client address of its own for one test (198.18.0.0/15, set aside for tests), so its bucket is its own.</summary>
    static string TestClientAddress() => $"198.18.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    static Task<HttpResponseMessage> SignInFromAsync(HttpClient http, string forwardedFor, object credentials, string path = "/api/auth/login")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(credentials) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_client_address_as_the_known_proxy_forwards_it_and_a_forged_entry_gets_no_fresh_bucket()
    {
        using var http = Gateway.Anonymous(_app);
        var attacker = TestClientAddress();
        string neighbour;
        do
        {
            neighbour = TestClientAddress();
        }
        while (neighbour == attacker);

        // Empty bodies fail validation without hashing anything, but each still spends a token.
        HttpStatusCode status = default;
        for (var i = 0; i < SensorsAppFixture.SignInBurst + 20 && status != HttpStatusCode.TooManyRequests; i++)
        {
            using var response = await SignInFromAsync(http, attacker, new { });
            status = response.StatusCode;
            Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests, $"attempt {i}: {(int)status}");
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, status);

        // A client may send its own X-Forwarded-For; the proxy appends the address it saw, and only that one counts.
        using (var forged = await SignInFromAsync(http, $"{TestClientAddress()}, {attacker}", new { }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, forged.StatusCode);
            Assert.NotNull(forged.Headers.RetryAfter?.Delta);
        }
        // Another client behind the same proxy keeps its own bucket, and signs in.
        using (var other = await SignInFromAsync(http, neighbour, new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        }
        using var admin = await SignInFromAsync(http, neighbour, new { username = Gateway.Admin, password = SensorsApp.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task An_unknown_user_name_fails_and_locks_out_exactly_like_a_real_account()
    {
        var known = Gateway.UniqueUser("known");
        await Gateway.CreateUserAsync(_app, known, Password, "Viewer");
        var unknown = Gateway.UniqueUser("ghost");
        using var http = Gateway.Anonymous(_app);
        // Each name from its own address: 7 attempts apiece must meet the lockout, not the per-address limit.
        var (knownClient, unknownClient) = (TestClientAddress(), TestClientAddress());

        for (var attempt = 1; attempt <= 7; attempt++)
        {
            var path = attempt % 2 == 0 ? "/api/auth/token" : "/api/auth/login";
            using var forKnown = await SignInFromAsync(http, knownClient, new { username = known, password = "not-the-password" }, path);
            using var forUnknown = await SignInFromAsync(http, unknownClient, new { username = unknown, password = "not-the-password" }, path);
            var expected = attempt < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests;
            Assert.Equal(expected, forKnown.StatusCode);
            Assert.Equal(expected, forUnknown.StatusCode);
            Assert.Equal(Answer(forKnown, await forKnown.Content.ReadAsStringAsync()), Answer(forUnknown, await forUnknown.Content.ReadAsStringAsync()));
            if (expected == HttpStatusCode.TooManyRequests)
            {
                Assert.True(forUnknown.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(1), $"Retry-After: {forUnknown.Headers.RetryAfter}");
            }
        }

        // The answer as a client sees it: status, headers, body, with the seconds to wait rounded to the minute
        // (the two were answered a moment apart).
        static string Answer(HttpResponseMessage response, string body)
        {
            var headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => h.Key is not ("Date" or "Content-Length"))
                .Select(h => h.Key + ": " + (h.Key == "Retry-After" ? Minutes(string.Join(",", h.Value)) : string.Join(",", h.Value)))
                .Order();
            var json = System.Text.Json.JsonDocument.Parse(body).RootElement;
            var detail = System.Text.RegularExpressions.Regex.Replace(json.GetProperty("detail").GetString()!, @"in (\d+) s", m => $"in {Minutes(m.Groups[1].Value)} min");
            return $"{(int)response.StatusCode} {json.GetProperty("title").GetString()} {detail} | {string.Join(" | ", headers)}";
        }

        static string Minutes(string seconds) => Math.Round(int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture) / 60.0).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Failed_sign_ins_for_an_unknown_name_through_two_gateway_replicas_count_together_even_at_once()
    {
        using var second = await SecondGateway.StartAsync(_app);
        using var first = Gateway.Anonymous(_app);
        using var other = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // The first gateway believes the test's proxy, so this test gets a sign-in bucket of its own there; the second
        // believes no proxy and counts 127.0.0.1 (a bucket of 10, which this test stays within).
        var client = TestClientAddress();
        Task<HttpResponseMessage> FailAsync(int attempt, string name) => attempt % 2 == 1
            ? SignInFromAsync(first, client, new { username = name, password = "not-the-password" })
            : other.PostAsJsonAsync("/api/auth/login", new { username = name, password = "not-the-password" });

        // One after the other, alternating: the fifth failure locks the name, whichever replica counted the others.
        var unknown = Gateway.UniqueUser("ghost");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var response = await FailAsync(attempt, unknown);
            Assert.True((attempt < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests) == response.StatusCode,
                $"attempt {attempt} (gateway {2 - attempt % 2}): {(int)response.StatusCode}");
        }
        foreach (var http in new[] { first, other })
        {
            using var locked = http == first
                ? await SignInFromAsync(first, client, new { username = unknown, password = Password })
                : await other.PostAsJsonAsync("/api/auth/login", new { username = unknown, password = Password });
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(1), $"Retry-After: {locked.Headers.RetryAfter}");
        }

        // Five at once, three through one replica and two through the other. Each is checked for a lockout before it
        // is counted, so none finds the one the fifth count sets; counted once each, exactly one of them sets it.
        var burst = Gateway.UniqueUser("ghost");
        var responses = await Task.WhenAll(Enumerable.Range(1, 5).Select(attempt => FailAsync(attempt, burst)));
        var statuses = responses.Select(r => (int)r.StatusCode).Order().ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }
        Assert.Equal([401, 401, 401, 401, 429], statuses);
        using var after = await FailAsync(2, burst);
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
    }

    [Fact]
    public async Task The_monitors_internal_API_is_not_reachable_through_the_gateway_and_unknown_api_paths_are_404()
    {
        using var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app));
        using var internalFeed = await admin.GetAsync("/internal/credentials/sensors");
        Assert.DoesNotContain("keyHash", await internalFeed.Content.ReadAsStringAsync());
        using var unknown = await admin.GetAsync("/api/credentials");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var worker = _app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "monitor-worker");
        Assert.All(worker.Annotations.OfType<EndpointAnnotation>(), endpoint => Assert.False(endpoint.IsExternal));
    }
}
