using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Sensors360.Simulator.History;

/// <summary>
/// <c>history</c>: writes a fleet's history (sensors, the window's heartbeats) straight into the monitor's database,
/// with <c>history-truth.csv</c>; a thin wrapper around <see cref="HistoryGenerator"/>.
/// </summary>
public static class HistoryCommand
{
    public const string Name = "history";

    public static async Task<int> RunAsync(string[] args)
    {
        using var host = CreateBuilder(args).Build();
        if (await SimulatorHost.ReportInvalidAsync<HistoryOptions>(host, "history"))
        {
            return 2;
        }

        var options = host.Services.GetRequiredService<IOptions<HistoryOptions>>().Value;
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        await using var db = NpgsqlDataSource.Create(options.ConnectionString!);
        try
        {
            // Resolved once: the banner and the run must name the same end, even across a minute boundary.
            options.EndAt = options.ResolveEndAt(DateTimeOffset.UtcNow);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"history: seed {options.Seed}, {options.Slots:#,0} slots, {options.Days} days up to {options.EndAt:yyyy-MM-dd'T'HH:mm:ss'Z'} …"));
            var summary = await HistoryGenerator.GenerateAsync(db, options, cancellation.Token);
            Console.WriteLine(Describe(summary));
            return 0;
        }
        catch (DatabaseNotEmptyException ex)
        {
            await Console.Error.WriteLineAsync($"history: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("history: cancelled; nothing was written.");
            return 1;
        }
        catch (NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync($"history: database error, nothing was written: {ex.Message}");
            return 1;
        }
    }

    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = SimulatorHost.CreateBuilder(args);
        builder.Services.AddValidatedOptions<HistoryOptions>(HistoryOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ConnectionString = configuration.GetConnectionString("sensorsdb");
                }
            });
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        return builder;
    }

    public static string Describe(HistorySummary summary) => string.Create(CultureInfo.InvariantCulture, $"""
        history: window {summary.WindowStart:yyyy-MM-dd'T'HH:mm:ss'Z'} .. {summary.EndAt:yyyy-MM-dd'T'HH:mm:ss'Z'}
          sensors written:     {summary.Sensors:#,0}
          heartbeats written:  {summary.Heartbeats:#,0}
          deaths in window:    {summary.DeathsInWindow:#,0} ({summary.DeathsInWindowWithWarning:#,0} with warning)
          truth:               {summary.TruthPath}
          elapsed:             {summary.Elapsed.TotalSeconds:0.0} s ({summary.RowsPerSecond:#,0} rows/s)
        """);
}
