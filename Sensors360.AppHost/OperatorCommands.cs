using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Sensors360.Contracts;

namespace Sensors360.AppHost;

/// <summary>
/// Resource commands in the Aspire dashboard for what an operator would otherwise open a terminal for
/// (docs/operations.md). The demo fleet needs none of its own: the simulator keeps its sensors in its data directory,
/// so the dashboard's own Stop and Start pause and resume the same fleet.
/// </summary>
public static class OperatorCommands
{
    public const string ScanNow = "scan-now";
    public const string ScoreNow = "score-now";
    public const string BackUpNow = "back-up-now";

    /// <summary>Runs a staleness scan at once instead of at the next scheduled one, and says what it found.</summary>
    public static IResourceBuilder<ProjectResource> WithScanNowCommand(
        this IResourceBuilder<ProjectResource> worker, IResourceBuilder<ParameterResource> appHostKey) =>
        worker.WithWorkerOperation<ScanReport>(appHostKey, ScanReport.Path, ScanNow, "Scan for stale sensors now",
            "Moves every sensor whose deadline has passed to late or down now, as the next scheduled scan would.", "ArrowSync",
            report => $"Scanned: {report.Transitions} sensors moved to late or down; {report.Stale} stale.");

    /// <summary>Scores the fleet for failure risk at once instead of at the next scheduled pass, and says how it went.</summary>
    public static IResourceBuilder<ProjectResource> WithScoreNowCommand(
        this IResourceBuilder<ProjectResource> worker, IResourceBuilder<ParameterResource> appHostKey) =>
        worker.WithWorkerOperation<ScoreReport>(appHostKey, ScoreReport.Path, ScoreNow, "Score the fleet now",
            "Runs a failure-prediction pass over every live sensor now, as the next scheduled pass would.", "Predictions",
            report => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Scored {report.Scored} sensors in {report.Seconds:0.0} s; {report.AtRisk} at risk, {report.NewlyAtRisk} newly."));

    /// <summary>
    /// A command that POSTs to one of the worker's operations as the AppHost (which the worker must know as a caller) and
    /// shows its report.
    /// </summary>
    static IResourceBuilder<ProjectResource> WithWorkerOperation<TReport>(
        this IResourceBuilder<ProjectResource> worker, IResourceBuilder<ParameterResource> appHostKey, string path, string name,
        string displayName, string description, string icon, Func<TReport, string> describe) =>
        worker.WithHttpCommand(path, displayName, commandName: name,
            commandOptions: new HttpCommandOptions
            {
                Description = description,
                IconName = icon,
                Method = HttpMethod.Post,
                UpdateState = WhenRunning,
                PrepareRequest = async request => request.Request.Headers.Authorization =
                    new AuthenticationHeaderValue("Service", await appHostKey.Resource.GetValueAsync(request.CancellationToken)),
                GetCommandResult = async result =>
                {
                    if (!result.Response.IsSuccessStatusCode)
                    {
                        return CommandResults.Failure($"The worker answered {(int)result.Response.StatusCode}: " +
                            await result.Response.Content.ReadAsStringAsync(result.CancellationToken));
                    }
                    var report = await result.Response.Content.ReadFromJsonAsync<TReport>(result.CancellationToken);
                    return CommandResults.Success(describe(report!));
                },
            });

    /// <summary>
    /// Takes a pgBackRest backup of the running server with eng/backup.sh (a full one the first time, incremental
    /// after), as a terminal would, and shows what it printed.
    /// </summary>
    /// <param name="environment">What eng/backup.sh needs to find the server: the data directory or the mode.</param>
    public static IResourceBuilder<T> WithBackUpNowCommand<T>(this IResourceBuilder<T> server, IReadOnlyDictionary<string, string> environment)
        where T : IResource
    {
        var script = Path.GetFullPath(Path.Combine(server.ApplicationBuilder.AppHostDirectory, "..", "eng", "backup.sh"));
        return server.WithCommand(BackUpNow, "Back up now", async context =>
        {
            var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            using var backup = Process.Start(start)!;
            var output = backup.StandardOutput.ReadToEndAsync(context.CancellationToken);
            var errors = backup.StandardError.ReadToEndAsync(context.CancellationToken);
            try
            {
                await backup.WaitForExitAsync(context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                backup.Kill(entireProcessTree: true);
                return CommandResults.Canceled();
            }
            var printed = (await output + await errors).Trim();
            return backup.ExitCode == 0
                ? CommandResults.Success("Backup taken (pgBackRest).", printed, CommandResultFormat.Text)
                : CommandResults.Failure($"eng/backup.sh failed (exit {backup.ExitCode}): {printed.Split('\n')[^1]}", printed, CommandResultFormat.Text);
        }, new CommandOptions
        {
            Description = "A pgBackRest backup of the running database (eng/backup.sh; restore with eng/restore.sh).",
            IconName = "DatabaseArrowDown",
            UpdateState = WhenRunning,
        });
    }

    static ResourceCommandState WhenRunning(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
}
