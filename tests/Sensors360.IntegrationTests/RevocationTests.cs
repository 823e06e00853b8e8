using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Npgsql;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>
/// An Admin's password reset, lock, role change or deletion takes the user's access away at once: the session cookie
/// and access tokens are refused from the Admin's answer on, and the user's open WebSockets close with 1008. The
/// fixture leaves Gateway:SessionRevalidation at its 30 s, so nothing here waits for a periodic check.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class RevocationTests(SensorsAppFixture fixture)
{
    const string Password = "a-long-enough-password";
    static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(5);

    readonly DistributedApplication _app = fixture.App;

    [Theory]
    [InlineData("password reset")]
    [InlineData("lock")]
    [InlineData("role change")]
    [InlineData("deletion")]
    public async Task An_Admins_change_ends_the_users_session_tokens_and_WebSockets_at_once(string change)
    {
        var user = Gateway.UniqueUser("revoke");
        await Gateway.CreateUserAsync(_app, user, Password, "Operator");
        using var session = await BrowserSession.SignInAsync(_app, user, Password);
        using var bearer = Gateway.WithBearer(_app, await Gateway.AccessTokenAsync(_app, user, Password));
        var gateway = Gateway.BaseAddress(_app);
        using var cookieSocket = await Gateway.ConnectAsync(gateway, session.AddCookiesTo, CancellationToken.None);
        using var tokenSocket = await Gateway.ConnectAsync(gateway,
            o => o.SetRequestHeader("Authorization", bearer.DefaultRequestHeaders.Authorization!.ToString()), CancellationToken.None);
        foreach (var socket in new[] { cookieSocket, tokenSocket })
        {
            await Gateway.ReceiveUntilAsync(socket, (type, _) => type == "hello", TimeSpan.FromSeconds(10));
        }
        foreach (var client in new[] { session.Http, bearer })
        {
            using var before = await client.GetAsync("/api/auth/me");
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        var closes = new[] { cookieSocket, tokenSocket }.Select(socket => CloseOfAsync(socket)).ToArray();

        using (var admin = Gateway.WithBearer(_app, await Gateway.AdminTokenAsync(_app)))
        using (var changed = change switch
        {
            "password reset" => await admin.PutAsJsonAsync($"/api/users/{user}", new { password = Password + "-new" }),
            "lock" => await admin.PutAsJsonAsync($"/api/users/{user}", new { locked = true }),
            "role change" => await admin.PutAsJsonAsync($"/api/users/{user}", new { role = "Viewer" }),
            _ => await admin.DeleteAsync($"/api/users/{user}"),
        })
        {
            Assert.True(changed.IsSuccessStatusCode, $"{change}: {(int)changed.StatusCode} {await changed.Content.ReadAsStringAsync()}");
        }

        foreach (var (client, credential) in new[] { (session.Http, "session cookie"), (bearer, "access token") })
        {
            using var after = await client.GetAsync("/api/auth/me");
            Assert.True(after.StatusCode == HttpStatusCode.Unauthorized, $"{credential} after the {change}: {(int)after.StatusCode}");
            Assert.Equal("application/problem+json", after.Content.Headers.ContentType?.MediaType);
        }
        foreach (var close in closes)
        {
            var (status, reason) = await close.WaitAsync(CloseDeadline);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
            Assert.False(string.IsNullOrWhiteSpace(reason));
        }
        // Neither credential opens a new one.
        Assert.Equal(HttpStatusCode.Unauthorized, await Gateway.RefusedUpgradeAsync(gateway, session.AddCookiesTo));
        Assert.Equal(HttpStatusCode.Unauthorized, await Gateway.RefusedUpgradeAsync(gateway,
            o => o.SetRequestHeader("Authorization", bearer.DefaultRequestHeaders.Authorization!.ToString())));

        using var anonymous = Gateway.Anonymous(_app);
        switch (change)
        {
            case "password reset":
                Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new { username = user, password = Password + "-new" })).StatusCode);
                break;
            case "lock":
                // A locked account answers like a name nobody holds, even to the right password.
                using (var locked = await anonymous.PostAsJsonAsync("/api/auth/login", new { username = user, password = Password }))
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
                    Assert.Equal("Wrong user name or password.", (await SensorsApi.JsonAsync(locked)).GetProperty("detail").GetString());
                }
                break;
            case "role change":
                using (var again = await BrowserSession.SignInAsync(_app, user, Password))
                {
                    Assert.Equal("Viewer", (await again.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/me")).GetProperty("role").GetString());
                }
                break;
        }
    }

    [Fact]
    public async Task A_revocation_another_gateway_instance_announces_on_the_bus_closes_the_users_WebSockets_and_session_here()
    {
        var user = Gateway.UniqueUser("elsewhere");
        await Gateway.CreateUserAsync(_app, user, Password, "Viewer");
        using var session = await BrowserSession.SignInAsync(_app, user, Password);
        using var socket = await Gateway.ConnectAsync(Gateway.BaseAddress(_app), session.AddCookiesTo, CancellationToken.None);
        await Gateway.ReceiveUntilAsync(socket, (type, _) => type == "hello", TimeSpan.FromSeconds(10));
        var close = CloseOfAsync(socket);

        // What another instance does: the change in the shared database (a new security stamp), then the event.
        await using var db = NpgsqlDataSource.Create((await _app.GetConnectionStringAsync("sensorsdb"))!);
        await using var change = db.CreateCommand(
            "UPDATE identity.users SET security_stamp = gen_random_uuid()::text WHERE user_name = $1 RETURNING id");
        change.Parameters.AddWithValue(user);
        var userId = (string)(await change.ExecuteScalarAsync())!;
        var bus = await AppBus.CreateAsync(_app);
        await bus.StartAsync();
        try
        {
            await bus.Publish(new OperatorAccessRevoked(userId, "role changed", DateTimeOffset.UtcNow));
        }
        finally
        {
            await bus.StopAsync();
        }

        var (status, reason) = await close.WaitAsync(CloseDeadline);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("role changed", reason);
        using var after = await session.Http.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    /// <summary>The close status and reason the server sends (frames before it are skipped).</summary>
    static async Task<(WebSocketCloseStatus? Status, string? Reason)> CloseOfAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                result = await socket.ReceiveAsync(buffer, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return (null, "the WebSocket stayed open");
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription);
            }
        }
    }
}
