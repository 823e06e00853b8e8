using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>What /health and /alive tell whom: the status to anyone, each check only to a caller that proved who it is.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class HealthDetailsTests(SensorsAppFixture fixture)
{
    DistributedApplication App => fixture.App;

    static async Task<(HttpStatusCode Status, JsonElement Body, string Text)> HealthAsync(HttpClient http, string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    [Theory]
    [InlineData("realtime-gateway")]
    [InlineData("ingestion-api")]
    [InlineData("monitor-worker")]
    [InlineData("alerting-service")]
    [InlineData("dashboard-web")]
    public async Task An_anonymous_caller_gets_only_the_overall_status_from_health_and_alive(string service)
    {
        using var http = App.CreateHttpClient(service, "http");
        foreach (var path in new[] { "/health", "/alive" })
        {
            var (status, body, text) = await HealthAsync(http, path);

            Assert.True(status == HttpStatusCode.OK, $"{service} {path}: {(int)status} {text}");
            Assert.Equal("""{"status":"Healthy"}""", text);
            Assert.Equal("Healthy", body.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_signed_in_operator_at_the_gateway_and_a_known_key_at_the_ingestion_API_see_each_check_and_a_wrong_credential_does_not()
    {
        await using var api = new SensorsApi(App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("health-details"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        using var gateway = App.CreateHttpClient("realtime-gateway", "http");
        var adminToken = await Gateway.AdminTokenAsync(App);

        var (_, operatorView, operatorText) = await HealthAsync(gateway, "/health", adminToken);
        Assert.True(operatorView.TryGetProperty("checks", out var gatewayChecks), operatorText);
        Assert.Equal("Healthy", gatewayChecks.GetProperty("PostgreSql").GetProperty("status").GetString());

        var (_, sensorView, sensorText) = await HealthAsync(api.Ingestion, "/health", key);
        Assert.True(sensorView.TryGetProperty("checks", out var ingestionChecks), sensorText);
        Assert.Equal("Healthy", ingestionChecks.GetProperty("heartbeat-backlog").GetProperty("status").GetString());

        // A forged token or key is no better than none (and /health still answers: probes carry no credentials).
        var (forgedStatus, _, forgedText) = await HealthAsync(gateway, "/health", adminToken[..^2] + "xx");
        Assert.Equal(HttpStatusCode.OK, forgedStatus);
        Assert.Equal("""{"status":"Healthy"}""", forgedText);
        var (mistypedStatus, _, mistypedText) = await HealthAsync(api.Ingestion, "/health", key[..^2] + "xx");
        Assert.Equal(HttpStatusCode.OK, mistypedStatus);
        Assert.Equal("""{"status":"Healthy"}""", mistypedText);
    }
}
