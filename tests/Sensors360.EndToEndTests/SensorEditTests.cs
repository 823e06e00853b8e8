using System.Globalization;

namespace Sensors360.EndToEndTests;

/// <summary>Editing a sensor and retiring it with a reason, from its page (tests' defaults: late 1.5 s, down 3 s).</summary>
[Collection(DashboardCollection.Name)]
public sealed class SensorEditTests(DashboardFixture fixture)
{
    SystemApi Api => fixture.Api;

    static DateTime Shown(string text) => DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task An_edit_moves_the_deadlines_at_once_and_a_retirement_keeps_its_reason()
    {
        var sensor = await Api.RegisterAsync("edit-pump-4", new Dictionary<string, string> { ["site"] = "north" });
        await Api.PostUntilAcceptedAsync(sensor, SystemApi.Now());
        await Api.WaitForStateAsync(sensor.Id, "down", TimeSpan.FromSeconds(15));

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync($"/sensors/{sensor.Id}");
        await Expect(page.GetByTestId("sensor-detail-state")).ToHaveTextAsync("down");
        var downBefore = Shown(await page.GetByTestId("deadline-down").InnerTextAsync());

        await page.GetByTestId("action-edit").ClickAsync();
        await page.GetByTestId("edit-expectedIntervalSeconds").FillAsync("3600");
        await page.GetByTestId("edit-staleAfterSeconds").FillAsync("7200");
        await page.GetByTestId("edit-labels").FillAsync("site=south\nrack=9");
        await Screenshots.DocsAsync(page, "sensor-edit.png");
        await page.GetByTestId("confirm-ok").ClickAsync();

        // Down after 3 s of silence before, 7,200 s now: the same last heartbeat, a deadline 7,197 s later; no longer stale.
        await Expect(page.GetByTestId("sensor-detail-state")).ToHaveTextAsync("up");
        var downAfter = Shown(await page.GetByTestId("deadline-down").InnerTextAsync());
        Assert.InRange((downAfter - downBefore).TotalSeconds, 7196, 7198);
        await Expect(page.GetByTestId("sensor-labels")).ToContainTextAsync("rack=9");
        var timings = (await Api.SensorAsync(sensor.Id)).GetProperty("timings");
        Assert.Equal(3600, timings.GetProperty("expectedIntervalSeconds").GetDouble());

        // Still reporting, so the dialog proposes a decommissioning rather than a failure; the operator may choose another.
        await page.GetByTestId("action-retire").ClickAsync();
        await Expect(page.GetByTestId("retire-reason")).ToHaveValueAsync("decommissioned");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Expect(page.GetByTestId("sensor-detail-state")).ToHaveTextAsync("retired");
        await Expect(page.GetByTestId("retirement-reason")).ToContainTextAsync("Decommissioned");
        Assert.Equal("decommissioned", (await Api.SensorAsync(sensor.Id)).GetProperty("retirementReason").GetString());
    }
}
