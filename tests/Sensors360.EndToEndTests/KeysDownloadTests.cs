using System.Text;

namespace Sensors360.EndToEndTests;

/// <summary>The keys file the Register page offers after a CSV import, as the browser would save it.</summary>
[Collection(DashboardCollection.Name)]
public sealed class KeysDownloadTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_downloaded_keys_file_writes_tags_a_spreadsheet_would_run_as_formulas_with_a_leading_apostrophe()
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        var formula = $"=HYPERLINK(\"http://evil.example/{unique}\",\"open\")";
        var negative = $"-1+2-{unique}";
        var plain = $"plain-{unique}";
        var import = $"tag\n\"{formula.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n{negative}\n{plain}\n";
        await using var admin = await fixture.OpenBrowserAsync();
        await admin.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await admin.OpenAsync("/register");

        await page.GetByTestId("csv-file").SetInputFilesAsync(new FilePayload
        {
            Name = "sensors.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(import),
        });
        await page.GetByTestId("csv-submit").ClickAsync();
        await Expect(page.GetByTestId("csv-result")).ToHaveAttributeAsync("data-count", "3");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("csv-download").ClickAsync());
        var saved = Path.Combine(Path.GetTempPath(), $"sensors360-keys-{unique}.csv");
        await download.SaveAsAsync(saved);
        var file = await File.ReadAllTextAsync(saved);
        File.Delete(saved);

        var lines = file.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,tag,key", lines[0]);
        Assert.Matches($"^[0-9]+,\"'{System.Text.RegularExpressions.Regex.Escape(formula.Replace("\"", "\"\"", StringComparison.Ordinal))}\",s360s_", lines[1]);
        Assert.Matches($"^[0-9]+,'{System.Text.RegularExpressions.Regex.Escape(negative)},s360s_", lines[2]);
        Assert.Matches($"^[0-9]+,{plain},s360s_", lines[3]);
    }
}
