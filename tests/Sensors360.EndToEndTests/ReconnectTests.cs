using System.Diagnostics;
using Xunit.Abstractions;

namespace Sensors360.EndToEndTests;

/// <summary>
/// Stops and starts the gateway. It leaves the system as it found it (the gateway healthy on the same address, sessions
/// and tokens kept in PostgreSQL), so the other tests do not depend on running before or after it.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ReconnectTests(DashboardFixture fixture, ITestOutputHelper output)
{
    SystemApi Api => fixture.Api;

    [Fact]
    public async Task After_the_gateway_restarts_the_dashboard_reconnects_catches_up_and_shows_new_transitions()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var missed = await Api.RegisterSteadyAsync("restart-meter-1"); // comes up while the gateway is away
        var later = await Api.RegisterSteadyAsync("restart-meter-2");  // comes up once it is back

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var overview = await browser.OpenAsync("/");
        var detail = await BrowserSession.OpenAsync(await browser.NewPageAsync(), $"/sensors/{missed.Id}");
        await Expect(detail.GetByTestId("sensor-detail-state")).ToHaveTextAsync("new");
        IPage[] pages = [overview, detail];

        var clock = Stopwatch.StartNew();
        await fixture.GatewayCommandAsync(KnownResourceCommands.StopCommand, cts.Token);
        await fixture.App.ResourceNotifications.WaitForResourceAsync(DashboardFixture.Gateway, KnownResourceStates.TerminalStates, cts.Token);
        foreach (var page in pages)
        {
            await Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "reconnecting", new() { Timeout = 10_000 });
            await Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Reconnecting…");
        }
        output.WriteLine($"gateway stopped, pages reconnecting after {clock.Elapsed.TotalSeconds:0.0} s");

        // Sensors do not go through the gateway: this transition happens while no page can hear of it.
        await Api.PostUntilAcceptedAsync(missed, SystemApi.Now());

        await fixture.GatewayCommandAsync(KnownResourceCommands.StartCommand, cts.Token);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(DashboardFixture.Gateway, cts.Token);
        output.WriteLine($"gateway healthy again after {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var page in pages)
        {
            // The client's backoff grows while the gateway is away (up to 30 s between attempts).
            await Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 45_000 });
        }
        output.WriteLine($"pages live again after {clock.Elapsed.TotalSeconds:0.0} s");

        // Resync: the open sensor page fetched the sensor again and shows the change it missed.
        Assert.Equal("up", await Api.StateAsync(missed.Id));
        await Expect(detail.GetByTestId("sensor-detail-state")).ToHaveTextAsync("up", new() { Timeout = 5_000 });
        await Expect(overview.GetByTestId("transitions-feed").Locator($"[data-sensor-id='{missed.Id}']")).ToHaveCountAsync(0);

        // And the new gateway relays what happens from now on.
        await Api.PostUntilAcceptedAsync(later, SystemApi.Now());
        await Expect(overview.GetByTestId("transitions-feed").Locator($"[data-testid=transition][data-sensor-id='{later.Id}'][data-to=up]"))
            .ToBeVisibleAsync(new() { Timeout = 5_000 });
    }
}
