using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Sensors360.Backtest;
using Sensors360.History;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;

// Usage: Sensors360.Backtest [migrate|run] --Backtest:ConnectionString=... [--Backtest:Key=value ...]
//        (--Backtest:HistoryDirectory=<dir>: import an external history into the empty database, then replay it)
//        [--Monitor:Prediction:Key=value ...] [--Monitor:Key=value ...]. eng/backtest.sh runs the whole thing.
var (command, rest) = args is [var first, ..] && !first.StartsWith('-') ? (first, args[1..]) : ("run", args);
if (command is not ("migrate" or "run"))
{
    Console.Error.WriteLine($"Unknown command '{command}'. Usage: Sensors360.Backtest [migrate|run] --Backtest:ConnectionString=...");
    return 2;
}

var settings = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
settings.Configuration.AddEnvironmentVariables().AddCommandLine(rest);
settings.Services.AddValidatedOptions<BacktestOptions>(BacktestOptions.Section);
settings.Services.AddValidatedOptions<PredictionOptions>(PredictionOptions.Section);
settings.Services.AddValidatedOptions<MonitorOptions>(MonitorOptions.Section);
using var host = settings.Build();
BacktestOptions options;
PredictionOptions prediction;
MonitorOptions monitor;
try
{
    options = host.Services.GetRequiredService<IOptions<BacktestOptions>>().Value;
    prediction = host.Services.GetRequiredService<IOptions<PredictionOptions>>().Value;
    monitor = host.Services.GetRequiredService<IOptions<MonitorOptions>>().Value;
}
catch (OptionsValidationException invalid)
{
    Console.Error.WriteLine("Invalid settings:");
    foreach (var failure in invalid.Failures)
    {
        Console.Error.WriteLine("  " + failure);
    }
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
await using var db = NpgsqlDataSource.Create(options.ConnectionString);
if (command == "migrate")
{
    await BacktestDatabase.MigrateAsync(db, cancel.Token);
    Console.WriteLine("Schema ready.");
    return 0;
}

IReadOnlyList<FleetDeath> truth;
if (!string.IsNullOrEmpty(options.HistoryDirectory))
{
    try
    {
        await BacktestDatabase.MigrateAsync(db, cancel.Token);
        var (imported, deaths) = await ExternalHistoryImport.ImportAsync(db, options.HistoryDirectory, cancel.Token);
        Console.Error.WriteLine($"Imported {imported.Sensors:#,0} sensors, {imported.Heartbeats:#,0} heartbeats ({imported.HeartbeatLines - imported.Heartbeats:#,0} repeated lines skipped), "
            + $"{imported.Deaths:#,0} deaths; {imported.IntervalsEstimated:#,0} expected intervals taken from the heartbeats' median gap.");
        truth = deaths;
    }
    catch (Exception ex) when (ex is FormatException or FileNotFoundException or InvalidOperationException)
    {
        Console.Error.WriteLine($"Cannot replay the history in '{Path.GetFullPath(options.HistoryDirectory)}': {ex.Message}");
        return 2;
    }
    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
    {
        Console.Error.WriteLine("Cancelled; nothing was imported.");
        return 130;
    }
}
else if (File.Exists(options.TruthFile))
{
    truth = FleetDeath.From(HistoryTruthCsv.Read(options.TruthFile));
}
else
{
    Console.Error.WriteLine($"No ground truth at '{Path.GetFullPath(options.TruthFile)}': generate a history first (Sensors360.Simulator history), or give an external one (--Backtest:HistoryDirectory).");
    return 2;
}
try
{
    var result = await Backtester.RunAsync(db, truth, options, prediction, monitor, line => Console.Error.Write($"\r  {line}   "), cancel.Token);
    Console.Error.WriteLine();
    Console.WriteLine(BacktestReport.Format(result, options));
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
// A history shorter than the warm-up: nothing to score, said in the message.
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(ex.Message);
    return 2;
}

