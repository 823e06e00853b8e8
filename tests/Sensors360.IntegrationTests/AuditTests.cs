using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>The audit log: the gateway's entries and the worker's, merged into GET /api/audit (Admin).</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class AuditTests(SensorsAppFixture fixture)
{
    const string Password = "audit-password-123";

    static async Task<JsonElement> AuditAsync(HttpClient admin, string query)
    {
        using var response = await admin.GetAsync("/api/audit?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await SensorsApi.JsonAsync(response);
    }

    static string[] Actions(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()!)];

    [Fact]
    public async Task An_operators_sign_in_registration_edit_and_retirement_are_recorded_with_who_where_and_what_changed_newest_first()
    {
        var app = fixture.App;
        var name = Gateway.UniqueUser("auditor");
        await Gateway.CreateUserAsync(app, name, Password, "Operator");
        using var session = await BrowserSession.SignInAsync(app, name, Password);

        long id;
        using (var register = await session.WriteAsync(HttpMethod.Post, "/api/sensors", new { tag = SensorsApi.UniqueTag("audit"), labels = new { site = "north" } }))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
            id = (await SensorsApi.JsonAsync(register)).GetProperty("id").GetInt64();
        }
        using (var edit = await session.WriteAsync(HttpMethod.Patch, $"/api/sensors/{id}", new { graceSeconds = 5, labels = new { site = "south" } }))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        }
        using (var retire = await session.WriteAsync(HttpMethod.Post, $"/api/sensors/{id}/retire", new { reason = "decommissioned" }))
        {
            Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        }

        using var admin = Gateway.WithBearer(app, await Gateway.AdminTokenAsync(app));
        var mine = await AuditAsync(admin, $"actor={name}");
        Assert.Equal(["sensor.retire", "sensor.edit", "sensor.register", "auth.sign-in"], Actions(mine));
        var entries = mine.GetProperty("items").EnumerateArray().ToArray();
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("address").GetString())));
        Assert.All(entries[..3], e => Assert.Equal("Operator", e.GetProperty("actorRole").GetString()));
        Assert.All(entries[..3], e => Assert.Equal($"sensor {id}", e.GetProperty("target").GetString()));
        var changes = entries[1].GetProperty("details");
        Assert.Equal(JsonValueKind.Null, changes.GetProperty("graceSeconds").GetProperty("from").ValueKind);
        Assert.Equal(5, changes.GetProperty("graceSeconds").GetProperty("to").GetDouble());
        Assert.Equal("south", changes.GetProperty("labels").GetProperty("to").GetProperty("site").GetString());
        Assert.False(changes.TryGetProperty("tag", out _), "an unchanged field is not listed");
        Assert.Equal("decommissioned", entries[0].GetProperty("details").GetProperty("reason").GetString());
        var times = entries.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToArray();
        Assert.Equal(times.OrderDescending(), times);

        // Page by page, one entry each, across both halves of the log: the same four, in the same order, then no more.
        var paged = new List<string>();
        string? before = null;
        for (var page = 0; page < 5; page++)
        {
            var answer = await AuditAsync(admin, $"actor={name}&limit=1" + (before is null ? "" : $"&before={before}"));
            paged.AddRange(Actions(answer));
            before = answer.GetProperty("next").GetString();
            if (before is null)
            {
                break;
            }
        }
        Assert.Equal(Actions(mine), paged);

        var bySensor = await AuditAsync(admin, $"target={Uri.EscapeDataString($"sensor {id}")}&action=sensor.");
        Assert.Equal(["sensor.retire", "sensor.edit", "sensor.register"], Actions(bySensor));
    }

    [Fact]
    public async Task Failed_sign_ins_and_user_and_token_changes_are_recorded_and_only_Admins_may_read_the_log()
    {
        var app = fixture.App;
        var stranger = Gateway.UniqueUser("nobody");
        using (var anonymous = Gateway.Anonymous(app))
        using (var failed = await anonymous.PostAsJsonAsync("/api/auth/login", new { username = stranger, password = "wrong-password-1" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }
        var name = Gateway.UniqueUser("promoted");
        await Gateway.CreateUserAsync(app, name, Password, "Viewer");
        using var admin = Gateway.WithBearer(app, await Gateway.AdminTokenAsync(app));
        using (var promote = await admin.PutAsJsonAsync($"/api/users/{name}", new { role = "Operator" }))
        {
            Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        }
        var (tokenId, viewerToken) = await Gateway.CreateApiTokenAsync(app, "Viewer");

        var failedSignIn = (await AuditAsync(admin, $"actor={stranger}")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal("auth.sign-in-failed", failedSignIn.GetProperty("action").GetString());
        Assert.Equal(401, failedSignIn.GetProperty("details").GetProperty("status").GetInt32());
        var userChanges = await AuditAsync(admin, $"target={Uri.EscapeDataString($"user {name}")}&action=user.");
        Assert.Equal(["user.update", "user.create"], Actions(userChanges));
        var role = userChanges.GetProperty("items")[0].GetProperty("details").GetProperty("role");
        Assert.Equal(("Viewer", "Operator"), (role.GetProperty("from").GetString(), role.GetProperty("to").GetString()));
        Assert.Equal(["token.create"], Actions(await AuditAsync(admin, $"target={Uri.EscapeDataString($"token {tokenId}")}")));
        Assert.DoesNotContain(Password, (await AuditAsync(admin, "action=user.")).ToString());

        using var viewer = Gateway.WithBearer(app, viewerToken);
        using (var refused = await viewer.GetAsync("/api/audit"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        foreach (var bad in new[] { "limit=0", "before=not-a-cursor", "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z" })
        {
            using var response = await admin.GetAsync("/api/audit?" + bad);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
