using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;

namespace Sensors360.IntegrationTests;

/// <summary>
/// The product's own metrics (meter "Sensors360", docs/architecture.md#product-metrics) as a tool outside the process
/// sees them: read over each service's diagnostics port while the test makes the system do the work they count.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class ProductMetricsTests(SensorsAppFixture fixture)
{
    const string Meter = "Sensors360";
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_worker_counts_what_it_stores_scans_and_moves_and_the_alerting_service_what_it_sends()
    {
        using var metrics = ProcessMetrics.Listen(fixture.App.ServiceProcessOf("monitor-worker"), Meter);
        using var alerting = ProcessMetrics.Listen(fixture.App.ServiceProcessOf("alerting-service"), Meter);
        await using var api = new SensorsApi(fixture.App);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var created = await api.Alerting.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url("/metrics"), events = new[] { "up", "late" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhookId = (await SensorsApi.JsonAsync(created)).GetProperty("id").GetInt64();
        try
        {
            // Up with its first heartbeat, then quiet: late after the fixture's 1.5 s, with a webhook call for each move.
            var (sensorId, key) = await api.RegisterAsync(SensorsApi.UniqueTag("metrics"));
            await api.WaitUntilKeyAcceptedAsync(sensorId, key);

            await metrics.UntilAsync("sensors360.monitor.heartbeats_stored", s => s.Total >= 1, Deadline);
            await metrics.UntilAsync("sensors360.monitor.commit_size", s => s.Total >= 1, Deadline);
            await metrics.UntilAsync("sensors360.monitor.transitions", s => s.Tags == "state=up" && s.Total >= 1, Deadline);
            await metrics.UntilAsync("sensors360.monitor.transitions", s => s.Tags == "state=late" && s.Total >= 1, Deadline);
            await metrics.UntilAsync("sensors360.monitor.scan_duration", s => s.Total >= 1, Deadline);
            await metrics.UntilAsync("sensors360.monitor.ingest_lag", s => s.Last >= 0, Deadline);
            await metrics.UntilAsync("sensors360.monitor.backlog", s => s.Last >= 0, Deadline);
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(receiver.For("/metrics", sensorId).Count >= 2), Deadline),
                "the webhook was not called for the sensor's moves");
            await alerting.UntilAsync("sensors360.alerting.alerts_sent",
                s => s.Tags.Contains("channel=webhook") && s.Tags.Contains("outcome=delivered") && s.Total >= 2, Deadline);
        }
        finally
        {
            using var _ = await api.Alerting.DeleteAsync($"/api/webhooks/{webhookId}");
        }
    }

    [Fact]
    public async Task The_gateway_counts_its_WebSocket_clients()
    {
        var app = fixture.App;
        using var metrics = ProcessMetrics.Listen(app.ServiceProcessOf("realtime-gateway"), Meter);
        const string clients = "sensors360.gateway.websocket_clients";
        var (_, token) = await Gateway.CreateApiTokenAsync(app, "Viewer");
        var gateway = Gateway.BaseAddress(app);

        using var first = await Gateway.ConnectAsync(gateway, o => o.SetRequestHeader("Authorization", $"Bearer {token}"), CancellationToken.None);
        using var second = await Gateway.ConnectAsync(gateway, o => o.SetRequestHeader("Authorization", $"Bearer {token}"), CancellationToken.None);
        var connected = await metrics.UntilAsync(clients, s => s.Last >= 2, Deadline);

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await metrics.UntilAsync(clients, s => s.Last <= connected.Last - 2, Deadline);
    }
}
