using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Sensors360.IntegrationTests;

/// <summary>Stops the broker, so it runs on a system of its own.</summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageTests
{
    const string Name = "Broker outage";
    const string StopCommand = "resource-stop";
    const string StartCommand = "resource-start";

    [Fact]
    public async Task With_the_broker_down_a_post_answers_503_with_Retry_After_within_5_seconds_and_succeeds_once_it_is_back()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var app = await SensorsApp.StartAsync(cts.Token);
        await using var api = new SensorsApi(app);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("outage"));
        await api.WaitUntilKeyAcceptedAsync(id, key);

        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var stopped = await commands.ExecuteCommandAsync("messaging", StopCommand, cts.Token);
        Assert.True(stopped.Success, stopped.Message);
        await app.ResourceNotifications.WaitForResourceAsync("messaging", KnownResourceStates.TerminalStates, cts.Token);

        var during = SensorsApi.RecentTime();
        var clock = Stopwatch.StartNew();
        using (var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, during)))
        {
            clock.Stop();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"503 took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var started = await commands.ExecuteCommandAsync("messaging", StartCommand, cts.Token);
        Assert.True(started.Success, started.Message);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("messaging", cts.Token);

        var after = SensorsApi.RecentTime(5);
        Assert.True(await LocalProcesses.EventuallyAsync(async () =>
        {
            using var response = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, after));
            return response.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(60)), "The API never accepted a heartbeat after the broker came back.");
        Assert.True(await LocalProcesses.EventuallyAsync(async () => await api.HeartbeatRowsAsync(id, after) == 1, TimeSpan.FromSeconds(60)),
            "The heartbeat accepted after the outage was not stored.");
    }
}
