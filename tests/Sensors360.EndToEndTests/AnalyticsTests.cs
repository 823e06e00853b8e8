namespace Sensors360.EndToEndTests;

/// <summary>Analytics: the fleet's survival curve, and each value of a label with its sensors by state.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AnalyticsTests(DashboardFixture fixture)
{
    SystemApi Api => fixture.Api;

    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task The_survival_curve_is_drawn_and_each_label_value_leads_to_its_sensors()
    {
        var key = $"zone{Guid.NewGuid():N}"[..14];
        var east = new List<Sensor>();
        for (var i = 0; i < 3; i++)
        {
            east.Add(await Api.RegisterSteadyAsync($"east-{Guid.NewGuid():N}"[..16], new Dictionary<string, string> { [key] = "east" }));
        }
        await Api.RegisterSteadyAsync($"west-{Guid.NewGuid():N}"[..16], new Dictionary<string, string> { [key] = "west" });
        // One life that ended: heard, then retired (a failure unless told otherwise).
        await Api.PostUntilAcceptedAsync(east[0], SystemApi.History(5, TimeSpan.FromMinutes(1), seed: 1));
        await Api.WaitForStateAsync(east[0].Id, "up", TimeSpan.FromSeconds(10));
        await Api.RetireAsync(east[0].Id);
        // One that reports: three heartbeats a minute apart.
        await Api.PostUntilAcceptedAsync(east[1], SystemApi.History(3, TimeSpan.FromMinutes(1), seed: 2));

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/");
        await page.GetByTestId("nav-analytics").ClickAsync();
        await Expect(page.GetByTestId("survival-chart").Locator("canvas")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("survival-summary")).ToContainTextAsync("ended");
        await Expect(page.GetByTestId("intervals-summary")).ToContainTextAsync("live sensors: half report at least every");
        await Expect(page.GetByTestId("intervals-row").First).ToBeVisibleAsync();
        if (Screenshots.DocsEnabled)
        {
            await Expect(page.GetByTestId("by-label-table")).ToBeVisibleAsync();
            await Screenshots.DocsAsync(page, "analytics.png");
        }

        await page.GetByTestId("label-key").FillAsync(key);
        var eastRow = page.Locator($"[data-testid=by-label-row][data-value=east]");
        await Expect(eastRow.Locator("td").First).ToHaveTextAsync("3");
        await Expect(eastRow.Locator("td[data-state=retired]")).ToHaveTextAsync("1");
        await Expect(eastRow.Locator("td[data-state=new]")).ToHaveTextAsync("1");
        await Expect(eastRow.Locator("td[data-state=up]")).ToHaveTextAsync("1");
        await Expect(page.Locator($"[data-testid=by-label-row][data-value=west] td").First).ToHaveTextAsync("1");

        await eastRow.GetByRole(AriaRole.Link, new() { Name = "east" }).ClickAsync();
        await page.WaitForURLAsync(url => Uri.UnescapeDataString(new Uri(url).Query).Contains($"label={key}:east", StringComparison.Ordinal));
        await Expect(page.GetByTestId("sensors-loaded-count")).ToHaveAttributeAsync("data-count", "3");
    }
}
