using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Sensors360.IntegrationTests.Reliability;

namespace Sensors360.IntegrationTests;

/// <summary>The operators' commands in the Aspire dashboard (docs/operations.md), run as the dashboard runs them.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed partial class ScanNowCommandTests(SensorsAppFixture fixture)
{
    [Fact]
    public async Task Scan_now_runs_a_scan_says_what_it_found_and_answers_only_the_AppHost()
    {
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync("monitor-worker", "scan-now");

        Assert.True(result.Success, result.Message);
        Assert.Matches(ScanMessage(), result.Message);

        // Only the AppHost may ask: the gateway's key (an operator's request) is refused, and no key at all.
        await using var api = new SensorsApi(fixture.App);
        using (var asGateway = await api.Worker.PostAsync("/internal/scan", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asGateway.StatusCode);
        }
        using var anonymous = fixture.App.CreateHttpClient("monitor-worker");
        using var refused = await anonymous.PostAsync("/internal/scan", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Score_now_runs_a_prediction_pass_says_how_it_went_and_answers_only_the_AppHost()
    {
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        // The fixture scores every second: a request that meets a scheduled pass is refused (409) and asked again.
        var message = "";
        Assert.True(await Poll.UntilAsync(async () =>
        {
            var result = await commands.ExecuteCommandAsync("monitor-worker", "score-now");
            message = result.Message ?? "";
            return result.Success;
        }, TimeSpan.FromSeconds(60)), message);
        Assert.Matches(ScoreMessage(), message);

        await using var api = new SensorsApi(fixture.App);
        using var asGateway = await api.Worker.PostAsync("/internal/score", null);
        Assert.Equal(HttpStatusCode.Forbidden, asGateway.StatusCode);
    }

    [GeneratedRegex(@"^Scanned: \d+ sensors moved to late or down; \d+ stale\.$")]
    private static partial Regex ScanMessage();

    [GeneratedRegex(@"^Scored \d+ sensors in \d+\.\d s; \d+ at risk, \d+ newly\.$")]
    private static partial Regex ScoreMessage();
}

[Collection(FaultsCollection.Name)]
public sealed class BackUpNowCommandTests(FaultsFixture fixture)
{
    [Fact]
    public async Task Back_up_now_takes_a_pgBackRest_backup_of_the_running_database()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var result = await fixture.Commands.ExecuteCommandAsync("postgres", "back-up-now", cts.Token);

        Assert.True(result.Success, $"{result.Message}: {result.Data?.Value}");
        Assert.Contains("full backup", result.Data?.Value, StringComparison.Ordinal);
        var repository = Path.Combine(fixture.DataDirectory, "backups");
        Assert.True(Directory.EnumerateFiles(repository, "backup.info", SearchOption.AllDirectories).Any(), $"no backup in {repository}");
    }
}
