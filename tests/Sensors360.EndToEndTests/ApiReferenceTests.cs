namespace Sensors360.EndToEndTests;

/// <summary>The API link opens the gateway's Scalar reference, which loads the merged OpenAPI document in the browser.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ApiReferenceTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_API_link_opens_a_reference_of_the_gateways_and_the_monitors_routes()
    {
        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/");
        await page.GetByTestId("nav-api").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/scalar/$"));
        // The document's title, a section of the gateway's own routes and sections of the monitor's, from the one document.
        var body = page.Locator("body");
        await Expect(body).ToContainTextAsync("Sensors 360 — operators' API", new() { Timeout = 20_000 });
        await Expect(body).ToContainTextAsync("Audit");
        await Expect(body).ToContainTextAsync("Collector keys");
        await Expect(body).ToContainTextAsync("Maintenance");
    }
}
