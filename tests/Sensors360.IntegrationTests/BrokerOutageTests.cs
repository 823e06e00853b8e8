using System.Diagnostics;
using System.Net;
using Sensors360.IntegrationTests.Reliability;

namespace Sensors360.IntegrationTests;

/// <summary>Stops the broker, so it runs on the fault scenarios' own system.</summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class BrokerOutageTests(FaultsFixture fixture)
{
    [Fact]
    public async Task With_the_broker_down_a_post_answers_503_with_Retry_After_within_5_seconds_health_says_so_and_it_succeeds_once_it_is_back()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var app = fixture.App;
        await using var api = new SensorsApi(app);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("outage"));
        await api.WaitUntilKeyAcceptedAsync(id, key);

        TimeSpan refusal, unhealthyAfter, recovery, newKeyAccepted;
        string health = "";
        try
        {
            await fixture.StopAsync("messaging", cts.Token);
            var down = Stopwatch.StartNew();

            var during = SensorsApi.RecentTime();
            var clock = Stopwatch.StartNew();
            using (var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, during)))
            {
                refusal = clock.Elapsed;
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.True(refusal < TimeSpan.FromSeconds(5), $"503 took {refusal.TotalSeconds:0.0} s");
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            // /health must say so. Degraded (still 200) is the honest answer: every replica shares the broker, so
            // taking them all out of rotation would turn fast 503 + Retry-After into connection errors.
            Assert.True(await Poll.UntilAsync(async () =>
            {
                using var response = await api.Ingestion.GetAsync("/health", cts.Token);
                var status = (await SensorsApi.JsonAsync(response)).GetProperty("status").GetString();
                health = $"{(int)response.StatusCode} {status}";
                return status is "Degraded" or "Unhealthy";
            }, TimeSpan.FromSeconds(30)), $"ingestion /health still answered {health} with the broker down");
            unhealthyAfter = down.Elapsed;

            await fixture.StartAsync("messaging", cts.Token);
            var back = Stopwatch.StartNew();
            var after = SensorsApi.RecentTime(5);
            Assert.True(await Poll.UntilAsync(async () =>
            {
                using var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, after));
                return response.StatusCode == HttpStatusCode.Accepted;
            }, TimeSpan.FromSeconds(60)), "The API never accepted a heartbeat after the broker came back.");
            recovery = back.Elapsed;
            Assert.True(await Poll.UntilAsync(async () => await api.HeartbeatRowsAsync(id, after) == 1, TimeSpan.FromSeconds(60)),
                "The heartbeat accepted after the outage was not stored.");
            Assert.Equal(0, await api.HeartbeatRowsAsync(id, during));

            // A sensor registered after the outage gets in at once. Registry events published before the API's
            // per-instance queue is back are lost, and MassTransit retries that queue only every 3 to 30 s; the API
            // looks an unknown key up in the registry instead of waiting for the event or its 1-minute reload.
            var (newId, newKey) = await api.RegisterAsync(SensorsApi.UniqueTag("after-outage"));
            var registered = Stopwatch.StartNew();
            Assert.True(await Poll.UntilAsync(async () =>
            {
                using var response = await api.PostHeartbeatsAsync(newKey, SensorsApi.Heartbeat(newId, SensorsApi.RecentTime(120)));
                return response.StatusCode == HttpStatusCode.Accepted;
            }, TimeSpan.FromSeconds(5)), "A sensor registered after the outage was not accepted within 5 s.");
            newKeyAccepted = registered.Elapsed;
        }
        finally
        {
            await fixture.RestoreAsync("messaging");
        }

        ScenarioResults.Record(new(
            "RabbitMQ stopped",
            "POST → 503 + Retry-After within 5 s, never hangs; ingestion /health Degraded or Unhealthy; 202 and stored once RabbitMQ is back; a key registered afterwards accepted within 5 s (looked up; its event may be lost)",
            $"503 in {refusal.TotalSeconds:0.00} s; /health {health} {unhealthyAfter.TotalSeconds:0.0} s after the stop; " +
            $"first 202 {recovery.TotalSeconds:0.0} s after RabbitMQ was healthy again, stored; a sensor registered afterwards accepted after {newKeyAccepted.TotalSeconds:0.0} s",
            Lost: 0, Duplicated: 0, Met: true));
    }
}
