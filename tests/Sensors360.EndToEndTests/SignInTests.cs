namespace Sensors360.EndToEndTests;

[Collection(DashboardCollection.Name)]
public sealed class SignInTests(DashboardFixture fixture)
{
    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task An_operator_signs_in_through_the_gateway_and_the_live_connection_comes_up()
    {
        await using var browser = await fixture.OpenBrowserAsync();
        var page = browser.Page;

        // Signed out, every page is the login form (and it remembers where it was going).
        await page.GotoAsync("/sensors");
        await Expect(page.GetByTestId("login-form")).ToBeVisibleAsync();
        Assert.Contains("/login", page.Url);
        await Expect(page.GetByTestId("connection-status")).ToHaveCountAsync(0);

        await page.GetByTestId("login-username").FillAsync(DashboardFixture.AdminUser);
        await page.GetByTestId("login-password").FillAsync(DashboardFixture.AdminPassword);
        await Screenshots.DocsAsync(page, "login.png");
        await page.GetByTestId("login-submit").ClickAsync();

        await Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live");
        await Expect(page.GetByTestId("current-user")).ToContainTextAsync(DashboardFixture.AdminUser);
        await Expect(page.GetByTestId("current-user")).ToHaveAttributeAsync("data-role", "Admin");
        // Back to the page that asked for the sign-in.
        await Expect(page.GetByTestId("sensors-table")).ToBeVisibleAsync();
        Assert.EndsWith("/sensors", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_the_gateways_explanation()
    {
        await using var browser = await fixture.OpenBrowserAsync();
        var page = browser.Page;
        await page.GotoAsync("/");
        // Not the admin: its failures would count towards locking it out.
        await page.GetByTestId("login-username").FillAsync("nobody-by-that-name");
        await page.GetByTestId("login-password").FillAsync("not-the-password");
        await page.GetByTestId("login-submit").ClickAsync();

        // A refusal costs the gateway a full 600,000-iteration hash (an unknown user gets a dummy one, so the time taken
        // does not tell who exists): on two busy cores that can outlast the default 5 s.
        await Expect(page.GetByTestId("login-error")).ToHaveAttributeAsync("data-status", "401", new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("login-error")).ToContainTextAsync("Wrong user name or password");
        await Expect(page.GetByTestId("current-user")).ToHaveCountAsync(0);
    }
}
