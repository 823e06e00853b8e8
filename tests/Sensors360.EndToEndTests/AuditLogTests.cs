namespace Sensors360.EndToEndTests;

/// <summary>Admin › Audit log shows what operators did, as the gateway and the worker recorded it.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AuditLogTests(DashboardFixture fixture)
{
    SystemApi Api => fixture.Api;

    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task An_edit_made_on_the_sensor_page_appears_in_the_audit_log_with_who_and_what_changed()
    {
        var sensor = await Api.RegisterAsync($"audit-{Guid.NewGuid():N}"[..18], new Dictionary<string, string> { ["site"] = "north" });

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync($"/sensors/{sensor.Id}");
        await page.GetByTestId("action-edit").ClickAsync();
        await page.GetByTestId("edit-graceSeconds").FillAsync("7");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Expect(page.GetByTestId("confirm-dialog")).ToHaveCountAsync(0);

        var audit = await browser.OpenAsync("/admin/audit");
        await audit.GetByTestId("audit-target").FillAsync($"sensor {sensor.Id}");
        await audit.GetByTestId("audit-apply").ClickAsync();
        var edit = audit.Locator("[data-action='sensor.edit']");
        await Expect(edit).ToHaveCountAsync(1);
        await Expect(edit).ToContainTextAsync(DashboardFixture.AdminUser);
        await Expect(edit).ToContainTextAsync("graceSeconds: default → 7");
        // Newest first: the edit above the registration.
        await Expect(audit.Locator("[data-testid='audit-table'] tbody tr").Nth(1)).ToHaveAttributeAsync("data-action", "sensor.register");
        await audit.GetByTestId("audit-target").FillAsync("");
        await audit.GetByTestId("audit-apply").ClickAsync();
        await Expect(audit.Locator("[data-action='auth.sign-in']").First).ToBeVisibleAsync();
        await Screenshots.DocsAsync(audit, "audit.png");
    }
}
