using System.Globalization;
using CsvHelper;

namespace Sensors360.EndToEndTests;

/// <summary>The CSV downloads of the sensor list and of a sensor's heartbeats, as the browser saves them.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ExportTests(DashboardFixture fixture)
{
    SystemApi Api => fixture.Api;

    static async Task<List<Dictionary<string, string>>> DownloadAsync(IPage page, string testId)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId(testId).ClickAsync());
        var saved = Path.Combine(Path.GetTempPath(), $"sensors360-export-{Guid.NewGuid():N}.csv");
        try
        {
            await download.SaveAsAsync(saved);
            using var csv = new CsvReader(new StreamReader(saved), CultureInfo.InvariantCulture);
            var rows = new List<Dictionary<string, string>>();
            await csv.ReadAsync();
            csv.ReadHeader();
            while (await csv.ReadAsync())
            {
                rows.Add(csv.HeaderRecord!.ToDictionary(h => h, h => csv.GetField(h)!));
            }
            return rows;
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [Fact]
    public async Task The_filtered_list_and_a_sensors_heartbeats_download_as_CSV_that_matches_the_API()
    {
        var prefix = $"export-{Guid.NewGuid():N}"[..20];
        var reporting = await Api.RegisterAsync(prefix + "-a", new Dictionary<string, string> { ["site"] = "north" });
        var quiet = await Api.RegisterAsync(prefix + "-b", new Dictionary<string, string> { ["site"] = "south", ["rack"] = "2" });
        var sent = SystemApi.History(30, TimeSpan.FromSeconds(20), seed: 5);
        await Api.PostUntilAcceptedAsync(reporting, sent);
        Assert.True(await Poll.UntilAsync(async () => (await Api.SensorAsync(reporting.Id)).GetProperty("heartbeatCount").GetInt64() == 30,
            TimeSpan.FromSeconds(15)), "the heartbeats were not all stored");

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var list = await browser.OpenAsync($"/sensors?tag={prefix}&sort=-tag");
        await Expect(list.GetByTestId($"sensor-row-{quiet.Id}")).ToBeVisibleAsync();
        var sensors = await DownloadAsync(list, "export-sensors");
        Assert.Equal([quiet.Id.ToString(CultureInfo.InvariantCulture), reporting.Id.ToString(CultureInfo.InvariantCulture)], sensors.Select(s => s["id"]));
        Assert.Equal(("south", "2", "0"), (sensors[0]["label:site"], sensors[0]["label:rack"], sensors[0]["heartbeat_count"]));
        Assert.Equal(("north", "", "30"), (sensors[1]["label:site"], sensors[1]["label:rack"], sensors[1]["heartbeat_count"]));

        var page = await browser.OpenAsync($"/sensors/{reporting.Id}");
        await Expect(page.GetByTestId("sensor-detail-state")).Not.ToHaveTextAsync("new");
        var heartbeats = await DownloadAsync(page, "export-heartbeats");
        Assert.Equal(sent, heartbeats.Select(h => DateTimeOffset.Parse(h["sensor_time"], CultureInfo.InvariantCulture)));
    }
}
