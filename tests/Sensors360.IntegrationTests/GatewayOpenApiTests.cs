using System.Net;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>One OpenAPI document at the gateway for everything behind it, and the Scalar UI over it, for signed-in users.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class GatewayOpenApiTests(SensorsAppFixture fixture)
{
    [Fact]
    public async Task The_gateways_document_lists_its_own_routes_and_the_monitors_it_proxies_with_their_roles_and_no_internal_route()
    {
        var app = fixture.App;
        using var viewer = Gateway.WithBearer(app, (await Gateway.CreateApiTokenAsync(app, "Viewer")).Token);
        using var response = await viewer.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await SensorsApi.JsonAsync(response);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "/api/auth/login", "/api/users", "/api/tokens", "/api/audit",                                      // the gateway's own
            "/api/sensors", "/api/sensors/{id}", "/api/sensors/export", "/api/sensors/{id}/heartbeats/export", // the monitor's
            "/api/stats", "/api/maintenance/queue", "/api/webhooks", "/api/alerts/channels", "/api/alerts/rules", "/api/alerts/deliveries", "/api/collector-keys",
        }, paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/internal", StringComparison.Ordinal));

        string Description(string path, string method) =>
            document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("description").GetString() ?? "";
        Assert.Contains("Operator role", Description("/api/sensors/{id}", "patch"));
        Assert.Contains("Viewer role", Description("/api/sensors/{id}", "get"));
        Assert.Contains("Admin role", Description("/api/audit", "get"));
        Assert.Contains("Admin role", Description("/api/webhooks", "post"));
        Assert.Contains("Admin role", Description("/api/alerts/channels", "post"));
        // Every reference resolves within the merged document.
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var reference in References(document.GetProperty("paths")))
        {
            Assert.True(schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _), $"unresolved {reference}");
        }
    }

    static IEnumerable<string> References(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Name == "$ref" && p.Value.GetString() is { } target ? [target] : References(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(References),
        _ => [],
    };

    [Fact]
    public async Task The_document_and_the_Scalar_UI_need_a_signed_in_user()
    {
        var app = fixture.App;
        using var anonymous = Gateway.Anonymous(app);
        foreach (var path in new[] { "/openapi/v1.json", "/scalar" })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)refused.StatusCode}");
        }

        using var viewer = Gateway.WithBearer(app, (await Gateway.CreateApiTokenAsync(app, "Viewer")).Token);
        // "/scalar" redirects to "/scalar/", where a client that follows it would drop the bearer token: ask there.
        using var page = await viewer.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(html.Contains("Sensors 360 API", StringComparison.Ordinal), html);
    }
}
