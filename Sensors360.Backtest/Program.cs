using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Sensors360.Backtest;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;
using Sensors360.Simulator.History;

// Usage: Sensors360.Backtest [migrate|run] --Backtest:ConnectionString=... [--Backtest:Key=value ...]
//        [--Monitor:Prediction:Key=value ...] [--Monitor:Key=value ...]. eng/backtest.sh runs the whole thing.
var (command, rest) = args is [var first, ..] && !first.StartsWith('-') ? (first, args[1..]) : ("run", args);
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(rest).Build();
var options = Bind<BacktestOptions>(configuration, BacktestOptions.Section);
var prediction = Bind<PredictionOptions>(configuration, PredictionOptions.Section);
var monitor = Bind<MonitorOptions>(configuration, MonitorOptions.Section);
var invalid = Validate(options).Concat(Validate(prediction)).Concat(Validate(monitor)).ToList();
if (invalid.Count > 0 || command is not ("migrate" or "run"))
{
    Console.Error.WriteLine(command is "migrate" or "run" ? "Invalid settings:" : $"Unknown command '{command}'. Usage: Sensors360.Backtest [migrate|run] --Backtest:ConnectionString=...");
    invalid.ForEach(message => Console.Error.WriteLine("  " + message));
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

if (!File.Exists(options.TruthFile))
{
    Console.Error.WriteLine($"No ground truth at '{Path.GetFullPath(options.TruthFile)}': generate a history first (Sensors360.Simulator history).");
    return 2;
}
var truth = HistoryTruthCsv.Read(options.TruthFile);
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

static T Bind<T>(IConfiguration configuration, string section) where T : new()
{
    var value = new T();
    configuration.GetSection(section).Bind(value);
    return value;
}

static IEnumerable<string> Validate(object value)
{
    var results = new List<ValidationResult>();
    Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
    return results.Select(r => r.ErrorMessage ?? "invalid");
}
