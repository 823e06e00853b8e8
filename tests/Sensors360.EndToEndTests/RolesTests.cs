namespace Sensors360.EndToEndTests;

[Collection(DashboardCollection.Name)]
public sealed class RolesTests(DashboardFixture fixture)
{
    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task A_Viewer_sees_no_actions_and_no_Register_or_Admin_while_an_Admin_does()
    {
        var sensor = await fixture.Api.RegisterSteadyAsync("roles-valve-1");
        const string ViewerPassword = "viewer-password-for-e2e";
        var viewer = $"vera-{Guid.NewGuid():N}"[..16];
        await fixture.Api.CreateUserAsync(viewer, ViewerPassword, "Viewer");

        // The control: the same pages as an Admin show what the Viewer must not see, so the test cannot pass by
        // looking too early or at a page that never renders them.
        await using (var admin = await fixture.OpenBrowserAsync())
        {
            await admin.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
            var page = await admin.OpenAsync($"/sensors/{sensor.Id}");
            await Expect(page.GetByTestId("sensor-detail")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("action-retire")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("nav-register")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("nav-admin")).ToBeVisibleAsync();
            await page.GetByTestId("nav-admin").ClickAsync();
            await Expect(page.GetByTestId($"user-row-{viewer}")).ToBeVisibleAsync();
            await Screenshots.DocsAsync(page, "admin.png");
        }

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(viewer, ViewerPassword);
        var viewerPage = await browser.OpenAsync($"/sensors/{sensor.Id}");
        await Expect(viewerPage.GetByTestId("current-user")).ToHaveAttributeAsync("data-role", "Viewer");
        await Expect(viewerPage.GetByTestId("sensor-detail")).ToBeVisibleAsync();
        await Expect(viewerPage.GetByTestId("sensor-detail-tag")).ToHaveTextAsync(sensor.Tag);
        await Expect(viewerPage.Locator("[data-testid^=action-]")).ToHaveCountAsync(0);
        await Expect(viewerPage.GetByTestId("nav-register")).ToHaveCountAsync(0);
        await Expect(viewerPage.GetByTestId("nav-admin")).ToHaveCountAsync(0);

        foreach (var path in new[] { "/admin", "/admin/users", "/register" })
        {
            await viewerPage.GotoAsync(path);
            await Expect(viewerPage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not available");
            await Expect(viewerPage.GetByTestId("users-table")).ToHaveCountAsync(0);
            await Expect(viewerPage.GetByTestId("register-form")).ToHaveCountAsync(0);
        }
    }
}
