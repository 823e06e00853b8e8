using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Sensors360.EndToEndTests;

[Collection(DashboardCollection.Name)]
public sealed class AdminTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_API_token_created_on_the_admin_page_is_shown_once_and_works_with_its_role()
    {
        var name = $"e2e-viewer-{Guid.NewGuid():N}"[..20];
        await using var admin = await fixture.OpenBrowserAsync();
        await admin.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await admin.OpenAsync("/admin/tokens");

        await page.GetByTestId("token-create-name").FillAsync(name);
        await page.GetByTestId("token-create-role").SelectOptionAsync("Viewer");
        await page.GetByTestId("token-create-submit").ClickAsync();
        var secret = page.GetByTestId("secret-value");
        await Expect(secret).ToBeVisibleAsync();
        var token = (await secret.TextContentAsync())!.Trim();
        await Expect(page.GetByTestId("token-create-name")).ToHaveValueAsync("");
        await Expect(page.Locator("[data-testid^=token-row-]", new() { HasText = name })).ToHaveCountAsync(1);

        using var http = new HttpClient { BaseAddress = fixture.GatewayAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var read = await http.GetAsync("/api/sensors?limit=1"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        using (var write = await http.PostAsJsonAsync("/api/sensors", new { tag = $"{name}-sensor" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        // A second creation replaces the secret shown; a refused one shows the reason and no secret.
        await page.GetByTestId("token-create-name").FillAsync(" ");
        await page.GetByTestId("token-create-submit").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(secret).ToHaveCountAsync(0);
    }
}
