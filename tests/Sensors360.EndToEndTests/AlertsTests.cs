namespace Sensors360.EndToEndTests;

/// <summary>Admin › Alerts: a channel and a rule made on the page, and an alert the SMTP server receives.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AlertsTests(DashboardFixture fixture)
{
    static readonly PageGetByLabelOptions Exactly = new() { Exact = true };

    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task An_email_channel_and_a_rule_made_on_the_alerts_page_bring_a_sensor_going_down_to_the_mail_server()
    {
        var site = $"e2e-{Guid.NewGuid():N}"[..16];
        var recipient = $"{site}@example.test";
        var channel = $"On-call {site}";

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/admin/alerts");
        await page.GetByLabel("Channel name", Exactly).FillAsync(channel);
        await page.GetByLabel("Kind", Exactly).SelectOptionAsync("email");
        await page.GetByLabel("Recipients", Exactly).FillAsync(recipient);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add channel", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Channels" })).ToContainTextAsync(channel);

        await page.GetByLabel("Rule name", Exactly).FillAsync($"{site} down");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "down", Exact = true }).CheckAsync();
        await page.GetByLabel("Labels", Exactly).FillAsync($"site={site}");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = channel, Exact = true }).CheckAsync();
        await page.GetByLabel("Group window (seconds)", Exactly).FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Rules" })).ToContainTextAsync($"{site} down");

        // Up with one heartbeat, then quiet: late, then down within seconds (the fixture's timings).
        var sensor = await fixture.Api.RegisterAsync($"{site}-pump", new Dictionary<string, string> { ["site"] = site });
        await fixture.Api.PostUntilAcceptedAsync(sensor, SystemApi.Now());

        var mail = await fixture.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == recipient), TimeSpan.FromSeconds(30));
        Assert.NotNull(mail);
        var subject = $"Sensors 360: sensor {sensor.Tag} is down";
        Assert.Equal(subject, mail.Subject);
        Assert.Contains($"{sensor.Tag} (#{sensor.Id}): late → down", mail.TextBody);

        // The page shows the delivery (recorded once the SMTP server has taken the message: refresh until it is).
        var deliveries = page.GetByRole(AriaRole.Table, new() { Name = "Recent deliveries" });
        Assert.True(await Poll.UntilAsync(async () =>
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh", Exact = true }).ClickAsync();
            return (await deliveries.InnerTextAsync()).Contains(subject, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500)), "the delivery never showed under Recent deliveries");
        // The picture for the docs: the channels, with this delivery counted.
        await page.ReloadAsync();
        await Expect(deliveries).ToContainTextAsync(subject);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Screenshots.DocsAsync(page, "alerts.png");
    }
}
