using System.Diagnostics;
using Npgsql;
using Sensors360.History;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;

namespace Sensors360.Backtest;

/// <summary>How the model did at one at-risk threshold.</summary>
/// <param name="Alerts">Crossings into the at-risk zone (what the live worker announces with SensorAtRisk).</param>
/// <param name="RightAlerts">Alerts followed by the sensor's death within the alert horizon.</param>
/// <param name="Deaths">Deaths that a flag at least the minimum lead ahead could have predicted (inside the scored period).</param>
/// <param name="Predicted">Deaths flagged at least the minimum lead (and at most the alert horizon) ahead.</param>
public sealed record ThresholdResult(
    double Threshold, int Alerts, int RightAlerts, int Deaths, int Predicted, double? MedianLeadHours,
    int DegradingDeaths, int DegradingPredicted, int SuddenDeaths, int SuddenPredicted)
{
    public double Precision => Alerts == 0 ? 0 : (double)RightAlerts / Alerts;

    public double Recall => Deaths == 0 ? 0 : (double)Predicted / Deaths;
}

public sealed record BacktestResult(
    DateTimeOffset HistoryStart, DateTimeOffset HistoryEnd, DateTimeOffset ScoredFrom, int Passes, int Refits, int SensorsScored,
    RiskModel FinalModel, double ThresholdInUse, IReadOnlyList<ThresholdResult> Thresholds, Calibration Calibration, TimeSpan Elapsed,
    int FeatureMoments, TimeSpan FeatureTime);

/// <summary>
/// Replays a stored history through the model as the live worker would have met it: at every step the model sees only
/// the heartbeats and registry records up to that moment, is refitted once a day, and scores every live sensor. The
/// risk series are then compared with the generator's ground truth.
/// </summary>
public static class Backtester
{
    public static readonly double[] ReportedThresholds = [0.3, 0.5, 0.6, 0.7, 0.8];

    public static async Task<BacktestResult> RunAsync(
        NpgsqlDataSource db, IReadOnlyList<FleetDeath> truth, BacktestOptions options, PredictionOptions prediction, MonitorOptions monitor,
        Action<string>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var (start, end) = await HistorySpanAsync(connection, cancellationToken);
        var history = await FailureHistory.LoadAsync(connection, monitor.DeadAfter, cancellationToken);

        var first = Align(start + options.WarmUp, options.Step);
        var passTimes = new List<DateTimeOffset>();
        for (var at = first; at <= end; at += options.Step)
        {
            passTimes.Add(at);
        }
        var fitTimes = FitTimes(passTimes, options.Refit);
        var moments = passTimes.Concat(fitTimes.SelectMany(at => ModelTrainer.SnapshotTimes(at, prediction))).ToHashSet();
        var featureWatch = Stopwatch.StartNew();
        var cache = await PrecomputeAsync(db, moments, prediction, monitor, progress, watch, cancellationToken);
        var featureTime = featureWatch.Elapsed;
        Task<IReadOnlyList<SensorFeatures>> FeaturesAt(DateTimeOffset at, CancellationToken ct) => Task.FromResult(cache[at]);

        var series = new Dictionary<long, List<(DateTimeOffset At, double Risk)>>();
        RiskModel? model = null;
        int passes = 0, refits = 0;
        foreach (var at in passTimes)
        {
            if (model is null || fitTimes.Contains(at))
            {
                model = await ModelTrainer.TrainAsync(at, history, FeaturesAt, prediction, cancellationToken);
                refits++;
            }
            foreach (var features in await FeaturesAt(at, cancellationToken))
            {
                var risk = RiskAssessor.Assess(features, model, at).Risk7d;
                (series.TryGetValue(features.SensorId, out var list) ? list : series[features.SensorId] = []).Add((at, risk));
            }
            passes++;
            progress?.Invoke($"{at:yyyy-MM-dd HH:mm} scored ({passes} passes, model: {model.Kind}, {watch.Elapsed.TotalSeconds:0} s)");
        }
        if (model is null)
        {
            throw new InvalidOperationException($"The history ({start:u} to {end:u}) is shorter than the warm-up ({options.WarmUp}); nothing was scored.");
        }

        var thresholds = ReportedThresholds.Append(prediction.Threshold).Distinct().Order()
            .Select(t => Evaluate(t, prediction.ClearFactor, series, truth, first, end, options)).ToList();
        return new BacktestResult(start, end, first, passes, refits, series.Count, model, prediction.Threshold, thresholds,
            Calibration.Of(series, truth, end), watch.Elapsed, cache.Count, featureTime);
    }

    /// <summary>The passes at which the model is refitted: the first, then the first one at least a refit period after the last fit.</summary>
    static HashSet<DateTimeOffset> FitTimes(List<DateTimeOffset> passTimes, TimeSpan refit)
    {
        var fits = new HashSet<DateTimeOffset>();
        DateTimeOffset? last = null;
        foreach (var at in passTimes.Where(at => last is null || at - last >= refit))
        {
            fits.Add(at);
            last = at;
        }
        return fits;
    }

    /// <summary>
    /// The features of every moment the replay will ask for (scoring passes and training snapshots), computed on as many
    /// connections as there are cores: each moment's query is independent of the others.
    /// </summary>
    static async Task<Dictionary<DateTimeOffset, IReadOnlyList<SensorFeatures>>> PrecomputeAsync(
        NpgsqlDataSource db, HashSet<DateTimeOffset> moments, PredictionOptions prediction, MonitorOptions monitor,
        Action<string>? progress, Stopwatch watch, CancellationToken cancellationToken)
    {
        var cache = new System.Collections.Concurrent.ConcurrentDictionary<DateTimeOffset, IReadOnlyList<SensorFeatures>>();
        await Parallel.ForEachAsync(moments.Order(), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (at, ct) =>
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                cache[at] = await FleetScorer.FeaturesAsync(connection, at, prediction, monitor, ct);
                progress?.Invoke($"features of {cache.Count}/{moments.Count} moments ({watch.Elapsed.TotalSeconds:0} s)");
            });
        return new Dictionary<DateTimeOffset, IReadOnlyList<SensorFeatures>>(cache);
    }

    /// <summary>Alerts as the live worker raises them (with its hysteresis), judged against the truth.</summary>
    public static ThresholdResult Evaluate(
        double threshold, double clearFactor, IReadOnlyDictionary<long, List<(DateTimeOffset At, double Risk)>> series,
        IReadOnlyList<FleetDeath> truth, DateTimeOffset first, DateTimeOffset end, BacktestOptions options)
    {
        var deathOf = truth.ToDictionary(t => t.SensorId);
        int alerts = 0, right = 0;
        foreach (var (sensor, risks) in series)
        {
            var atRisk = false;
            DateTimeOffset? previous = null;
            foreach (var (at, risk) in risks)
            {
                // A sensor missing from a pass was down; the live worker forgets its at-risk state then.
                if (previous is { } p && at - p > options.Step)
                {
                    atRisk = false;
                }
                previous = at;
                if (!atRisk && risk >= threshold)
                {
                    atRisk = true;
                    alerts++;
                    if (deathOf.TryGetValue(sensor, out var t) && t.DiedAt > at && t.DiedAt <= at + options.AlertHorizon)
                    {
                        right++;
                    }
                }
                else if (atRisk && risk < threshold * clearFactor)
                {
                    atRisk = false;
                }
            }
        }

        var leads = new List<double>();
        int deaths = 0, degrading = 0, degradingPredicted = 0, sudden = 0, suddenPredicted = 0;
        foreach (var t in truth.Where(t => t.DiedAt >= first + options.MinLead && t.DiedAt <= end))
        {
            deaths++;
            var earliest = series.TryGetValue(t.SensorId, out var risks)
                ? risks.Where(r => r.Risk >= threshold && r.At >= t.DiedAt - options.AlertHorizon && r.At <= t.DiedAt - options.MinLead)
                    .Select(r => (DateTimeOffset?)r.At).FirstOrDefault()
                : null;
            if (t.Failure == HistoryFailure.Degrading)
            {
                degrading++;
            }
            else
            {
                sudden++;
            }
            if (earliest is { } flagged)
            {
                leads.Add((t.DiedAt - flagged).TotalHours);
                if (t.Failure == HistoryFailure.Degrading)
                {
                    degradingPredicted++;
                }
                else
                {
                    suddenPredicted++;
                }
            }
        }
        return new ThresholdResult(threshold, alerts, right, deaths, leads.Count, Median(leads), degrading, degradingPredicted, sudden, suddenPredicted);
    }

    static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    static DateTimeOffset Align(DateTimeOffset time, TimeSpan step) =>
        new((time.UtcTicks + step.Ticks - 1) / step.Ticks * step.Ticks, TimeSpan.Zero);

    static async Task<(DateTimeOffset Start, DateTimeOffset End)> HistorySpanAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT min(sensor_time), max(sensor_time) FROM heartbeats", connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            throw new InvalidOperationException("The database holds no heartbeats: generate a history first (Sensors360.Simulator history).");
        }
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
    }
}
