using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Sensors360.EndToEndTests;

[Collection(DashboardCollection.Name)]
public sealed class MaintenanceTests(DashboardFixture fixture, ITestOutputHelper output)
{
    const int ExpectedIntervalSeconds = 60;

    /// <summary>Scoring runs every 2 s here; the page refetches on the sensorAtRisk frame, and every 30 s anyway.</summary>
    static readonly TimeSpan ScoredWithin = TimeSpan.FromSeconds(60);

    SystemApi Api => fixture.Api;

    [Fact]
    [Trait("Screenshots", "docs")]
    public async Task A_degrading_sensor_is_queued_for_maintenance_with_reasons_and_a_steady_one_is_not()
    {
        var end = SystemApi.Now();
        // Both still beating (the last heartbeat is now) and far from down; only the gaps tell them apart.
        var degrading = await Api.RegisterAsync("wearing-pump-3", new Dictionary<string, string> { ["site"] = "north" },
            expectedIntervalSeconds: ExpectedIntervalSeconds, graceSeconds: 600, staleAfterSeconds: 3600);
        var steady = await Api.RegisterAsync("steady-pump-4", new Dictionary<string, string> { ["site"] = "north" },
            expectedIntervalSeconds: ExpectedIntervalSeconds, graceSeconds: 600, staleAfterSeconds: 3600);
        await Api.PostUntilAcceptedAsync(degrading, DegradingHistory(end, seed: 3));
        await Api.PostUntilAcceptedAsync(steady, SteadyHistory(end, TimeSpan.FromHours(30), seed: 4));

        await using var browser = await fixture.OpenBrowserAsync();
        await browser.SignInAsync(DashboardFixture.AdminUser, DashboardFixture.AdminPassword);
        var page = await browser.OpenAsync("/maintenance");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Maintenance", Level = 1 })).ToBeVisibleAsync();

        // The screen must follow on its own (no reload): the row appears when the sensor crosses the threshold.
        var row = page.GetByTestId($"maintenance-row-{degrading.Id}");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = (float)ScoredWithin.TotalMilliseconds });
        await Expect(row.GetByTestId("maintenance-sensor-link")).ToHaveTextAsync(degrading.Tag);
        await Expect(row.GetByTestId("risk-reasons").Locator("li").First).ToHaveTextAsync(new Regex(@"\S"));
        await Expect(row.GetByTestId("risk-window")).ToHaveTextAsync(new Regex(@"^(in |within |overdue)"));
        await Expect(page.GetByTestId("maintenance-model")).ToHaveTextAsync(new Regex("^(prior model|fitted on .+)$"));

        var threshold = await ThresholdAsync();
        var shownRisk = ParsePercent(await row.GetByTestId("risk-7d").TextContentAsync());
        Assert.True(shownRisk >= Math.Floor(threshold * 100), $"7-day risk shown {shownRisk} %, under the threshold {threshold:P0}");

        // The steady sensor has been scored too, below the threshold: so its absence from the list means something.
        var steadyRisk = await ScoredAsync(steady.Id);
        Assert.True(steadyRisk.GetProperty("risk7d").GetDouble() < threshold, $"The steady sensor is at risk: {steadyRisk}");
        await page.ReloadAsync();
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.GetByTestId($"maintenance-row-{steady.Id}")).ToHaveCountAsync(0);
        output.WriteLine($"degrading: {shownRisk} % ({await row.GetByTestId("risk-reasons").InnerTextAsync()}); " +
            $"steady: {steadyRisk.GetProperty("risk7d").GetDouble():P1}");

        await row.GetByTestId("maintenance-sensor-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/sensors/{degrading.Id}$"));
        await Expect(page.GetByTestId("sensor-detail-tag")).ToHaveTextAsync(degrading.Tag);
        var panel = page.GetByTestId("risk-panel");
        await Expect(panel.GetByTestId("risk-panel-7d")).ToHaveTextAsync(new Regex(@"^(\d+|> 99) %$"));
        await Expect(panel.GetByTestId("risk-panel-reasons").Locator("li").First).ToHaveTextAsync(new Regex(@"\S"));
        // Its risk over time: at least the score that put it in the queue.
        await Expect(panel.GetByTestId("risk-history-chart").Locator("canvas")).ToBeVisibleAsync();
        await Expect(panel.GetByTestId("risk-history-chart").Locator("[role=img]")).ToHaveAttributeAsync("aria-label", new Regex(@"^Risk over time: \d+ scores? since"));
        if (Screenshots.DocsEnabled)
        {
            await panel.ScrollIntoViewIfNeededAsync();
            await Screenshots.DocsAsync(page, "sensor-risk.png");
        }
        Assert.Empty(browser.Errors);
    }

    /// <summary>
    /// Thirty hours of heartbeats about a minute apart, then three hours in which the gaps grow geometrically from one
    /// minute to six, ending now: a sensor slowing down, not yet silent.
    /// </summary>
    static DateTimeOffset[] DegradingHistory(DateTimeOffset end, int seed)
    {
        var beats = new List<DateTimeOffset> { end };
        var at = end;
        for (var gap = 6.0 * ExpectedIntervalSeconds; gap > ExpectedIntervalSeconds; gap /= 1.029) // ≈ 63 gaps, ≈ 3 h
        {
            at -= TimeSpan.FromSeconds(gap);
            beats.Add(Truncate(at));
        }
        beats.AddRange(Enumerable.Reverse(SteadyHistory(at, TimeSpan.FromHours(30), seed)).Skip(1));
        beats.Reverse();
        return [.. beats];
    }

    /// <summary>Heartbeats about a minute apart (±5 %) over <paramref name="span"/>, ending at <paramref name="end"/>.</summary>
    static DateTimeOffset[] SteadyHistory(DateTimeOffset end, TimeSpan span, int seed)
    {
        var random = new Random(seed);
        var beats = new List<DateTimeOffset>();
        for (var at = end; at > end - span; at -= TimeSpan.FromSeconds(ExpectedIntervalSeconds * (0.95 + 0.1 * random.NextDouble())))
        {
            beats.Add(Truncate(at));
        }
        beats.Reverse();
        return [.. beats];
    }

    static DateTimeOffset Truncate(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    static double ParsePercent(string? text)
    {
        var match = Regex.Match(text ?? "", @"(\d+) %");
        Assert.True(match.Success, $"'{text}' is not a percentage");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    async Task<double> ThresholdAsync()
    {
        using var response = await Api.Gateway.GetAsync("/api/maintenance/queue?limit=1");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"queue: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("threshold").GetDouble();
    }

    /// <summary>The sensor's risk once the monitor has scored it (404 until then).</summary>
    async Task<JsonElement> ScoredAsync(long id)
    {
        JsonElement risk = default;
        var last = "";
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await Api.Gateway.GetAsync($"/api/sensors/{id}/risk");
            var body = await response.Content.ReadAsStringAsync();
            last = $"{(int)response.StatusCode} {body}";
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            risk = JsonDocument.Parse(body).RootElement.Clone();
            return true;
        }, ScoredWithin), $"Sensor {id} was never scored; last answer: {last}");
        return risk;
    }
}
