using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Sensors360.EndToEndTests;

[Collection(DashboardCollection.Name)]
public sealed class OverviewTests(DashboardFixture fixture, ITestOutputHelper output)
{
    static readonly string[] Counts = ["total", "new", "up", "late", "down", "retired"];

    SystemApi Api => fixture.Api;

    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task Every_overview_tile_shows_the_same_count_as_the_API()
    {
        // A few sensors in different states, so the figures are not all zero.
        var steady = new[] { await Api.RegisterSteadyAsync("overview-boiler-1"), await Api.RegisterSteadyAsync("overview-boiler-2") };
        var quiet = await Api.RegisterAsync("overview-pump-1");
        await Api.RegisterSteadyAsync("overview-pump-2"); // never heard: stays new
        var retired = await Api.RegisterSteadyAsync("overview-valve-1");

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/");

        foreach (var sensor in steady)
        {
            await Api.PostUntilAcceptedAsync(sensor, SystemApi.History(30, TimeSpan.FromMinutes(2), (int)sensor.Id));
        }
        await Api.PostUntilAcceptedAsync(quiet, SystemApi.History(10, TimeSpan.FromSeconds(1), 7)); // down 3 s later
        await Api.RetireAsync(retired.Id);

        // The screen follows snapshots (every second here) and transitions; the API answers from the database. Compare
        // all six at one moment until they agree: a sensor changing state in between only delays the match.
        Dictionary<string, string> shown = [], expected = [];
        var agreed = await Poll.UntilAsync(async () =>
        {
            shown = await page.EvaluateAsync<Dictionary<string, string>>(
                "names => Object.fromEntries(names.map(n => [n, document.querySelector(`[data-testid=tile-${n}]`)?.textContent ?? '']))",
                Counts);
            var stats = await Api.StatsAsync();
            expected = Counts.ToDictionary(n => n, n => stats.GetProperty(n).GetInt32().ToString(CultureInfo.InvariantCulture));
            return Counts.All(n => shown[n] == expected[n]);
        }, TimeSpan.FromSeconds(20));

        Assert.True(agreed, $"Tiles {Describe(shown)} never matched GET /api/stats {Describe(expected)}.");
        Assert.True(int.Parse(expected["total"], CultureInfo.InvariantCulture) >= 5, "the test's own sensors are missing from the total");
        foreach (var state in new[] { "up", "down", "new", "retired" })
        {
            Assert.True(int.Parse(expected[state], CultureInfo.InvariantCulture) >= 1, $"no {state} sensor: the comparison proves less than it should");
        }
        output.WriteLine($"tiles = API: {Describe(expected)}");
        if (Screenshots.DocsEnabled)
        {
            // For the README: a chart with some history (one snapshot a second) and a few more state changes.
            await Expect(page.GetByTestId("state-chart").Locator("figcaption"))
                .ToHaveTextAsync(new Regex(@"over the last (1[5-9]|[2-5]\d) s"), new() { Timeout = 30_000 });
            await Screenshots.DocsAsync(page, "overview.png");
        }
    }

    [Fact]
    public async Task A_sensor_silent_past_its_threshold_appears_in_the_silent_sensors_list()
    {
        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/");

        var silent = await Api.RegisterAsync("stale-meter-1"); // the tests' threshold: down 3 s after its last heartbeat
        var steady = await Api.RegisterSteadyAsync("stale-meter-2");
        await Api.PostUntilAcceptedAsync(steady, SystemApi.Now());
        await Api.PostUntilAcceptedAsync(silent, SystemApi.Now());
        var heard = Stopwatch.StartNew();

        var list = page.GetByTestId("stale-list");
        var item = list.GetByTestId($"stale-item-{silent.Id}");
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var listedAfter = heard.Elapsed;
        output.WriteLine($"listed {listedAfter.TotalSeconds:0.00} s after its heartbeat (threshold 3 s)");

        Assert.True(listedAfter > TimeSpan.FromSeconds(2.5), $"listed as silent {listedAfter.TotalSeconds:0.00} s after a heartbeat, before the 3 s threshold");
        Assert.Equal("down", await Api.StateAsync(silent.Id));
        await Expect(item).ToContainTextAsync(silent.Tag);
        await Expect(item).ToContainTextAsync("silent since");
        // The staleness scan's report names it too, and the sensor that is still heard is not listed.
        await Expect(item).ToHaveAttributeAsync("data-in-stale-report", "true", new() { Timeout = 5_000 });
        await Expect(list.GetByTestId($"stale-item-{steady.Id}")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("stale-count")).Not.ToHaveTextAsync("0");
    }

    [Fact]
    public async Task The_state_changes_feed_shows_a_new_sensor_going_up_within_seconds_of_its_first_heartbeat()
    {
        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/");
        var sensor = await Api.RegisterSteadyAsync("feed-chiller-1");
        var feed = page.GetByTestId("transitions-feed");
        var item = feed.Locator($"[data-testid=transition][data-sensor-id='{sensor.Id}']");
        await Expect(item).ToHaveCountAsync(0);

        await Api.PostUntilAcceptedAsync(sensor, SystemApi.Now());
        var accepted = Stopwatch.StartNew();

        await Expect(item).ToBeVisibleAsync(new() { Timeout = 5_000 });
        output.WriteLine($"in the feed {accepted.Elapsed.TotalMilliseconds:0} ms after the heartbeat was accepted");
        await Expect(item).ToHaveAttributeAsync("data-to", "up");
        await Expect(item.Locator(".flip [data-state]")).ToHaveCountAsync(2);
        await Expect(item.Locator(".flip [data-state]").First).ToHaveAttributeAsync("data-state", "new");
        await Expect(item).ToContainTextAsync(sensor.Tag);
        await Expect(item).ToHaveCountAsync(1);
    }

    static string Describe(Dictionary<string, string> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
}
