using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monitor.Worker.Monitoring;
using Npgsql;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Prediction;

/// <summary>
/// Scores the fleet every <see cref="PredictionOptions.ScorePeriod"/> and refits the model every
/// <see cref="PredictionOptions.RefitPeriod"/>, on the worker that holds the periodic-work lock only, and one pass at a
/// time among all replicas (<see cref="SessionLocks.Scoring"/>, held through the pass). Sensors crossing
/// the threshold are announced with <see cref="SensorAtRisk"/> (relayed to browsers, deliverable by webhook).
/// </summary>
public sealed class PredictionService(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, PeriodicWorkService periodicWork, OutboxSignal outbox,
    IOptions<PredictionOptions> options, IOptions<MonitorOptions> monitor, TimeProvider clock, ILogger<PredictionService> logger) : BackgroundService
{
    static readonly TimeSpan LeaderCheck = TimeSpan.FromSeconds(5);

    RiskModel? _model;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        // Leadership is checked more often than the fleet is scored, so that a new leader starts scoring within seconds.
        var period = options.Value.ScorePeriod;
        using var timer = new PeriodicTimer(period < LeaderCheck ? period : LeaderCheck, clock);
        var next = DateTimeOffset.MinValue;
        do
        {
            if (!periodicWork.IsLeader || clock.GetUtcNow() < next)
            {
                continue;
            }
            next = clock.GetUtcNow() + period;
            try
            {
                await ScoreNowAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Scoring the fleet failed; retrying next period");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Scores the fleet once; null when another worker is scoring it at the moment (this pass is skipped).</summary>
    public async Task<ScoreReport?> ScoreNowAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Leadership is checked before a pass, not held through it: a leader whose lock connection broke may still be
        // scoring when the next leader starts, and two passes at once would both announce the same sensors at risk.
        if (!await SessionLocks.TryTakeAsync(connection, SessionLocks.Scoring, cancellationToken))
        {
            logger.LogInformation("Another worker is still scoring the fleet; this pass is skipped");
            return null;
        }
        try
        {
            return await ScoreAsync(connection, cancellationToken);
        }
        finally
        {
            await SessionLocks.ReleaseAsync(connection, SessionLocks.Scoring);
        }
    }

    async Task<ScoreReport> ScoreAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var model = await CurrentModelAsync(now, cancellationToken);

        var watch = Stopwatch.StartNew();
        int scored = 0, atRisk = 0, crossedCount = 0;
        var slices = await FleetScorer.SlicesAsync(connection, settings.ScoreSlice, cancellationToken);
        var lanes = new ParallelOptions { MaxDegreeOfParallelism = settings.ScoreConnections, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(slices, lanes, async (slice, ct) =>
        {
            await using var lane = await dataSource.OpenConnectionAsync(ct);
            var features = await FleetScorer.FeaturesAsync(lane, now, settings, monitor.Value, ct, slice);
            var assessments = FleetScorer.Assess(features, model, now);
            var crossed = await RiskStore.SaveAsync(lane, assessments, now, settings.Threshold, settings.ClearFactor, ct);
            if (crossed.Count > 0)
            {
                outbox.Notify();
            }
            Interlocked.Add(ref scored, assessments.Count);
            Interlocked.Add(ref atRisk, assessments.Count(a => a.Risk7d >= settings.Threshold));
            Interlocked.Add(ref crossedCount, crossed.Count);
        });
        await RiskStore.ForgetUnscoredAsync(connection, now, cancellationToken);
        logger.Log(crossedCount > 0 ? LogLevel.Information : LogLevel.Debug,
            "Scored {Sensors} sensors in {Elapsed} ms; {Crossed} newly at risk, {AtRisk} at risk",
            scored, watch.ElapsedMilliseconds, crossedCount, atRisk);
        return new ScoreReport(now, scored, atRisk, crossedCount, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The model in use: refitted when older than the refit period (a restarted worker reuses a recent one).</summary>
    async Task<RiskModel> CurrentModelAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (_model is null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MonitorDbContext>();
            var latest = await db.RiskModels.AsNoTracking().OrderByDescending(m => m.FittedAt).FirstOrDefaultAsync(cancellationToken);
            if (latest is not null)
            {
                _model = RiskStore.ToModel(latest);
            }
        }
        if (_model is not null && now - _model.FittedAt < settings.RefitPeriod)
        {
            return _model;
        }

        var watch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var history = await FailureHistory.LoadAsync(connection, monitor.Value.DeadAfter, cancellationToken);
        var sample = await FleetScorer.TrainingSampleAsync(connection, settings.TrainingSensors, cancellationToken);
        var model = await ModelTrainer.TrainAsync(
            now, history, (at, ct) => FleetScorer.FeaturesAsync(connection, at, settings, monitor.Value, ct, sample), settings, cancellationToken);
        await RiskStore.SaveModelAsync(connection, model, cancellationToken);
        logger.LogInformation(
            "Risk model refitted in {Elapsed} ms: {Kind} ({Examples} examples, {Failures} failures), age curve {AgeKind} Weibull shape {Shape:0.00} scale {Scale:0} days",
            watch.ElapsedMilliseconds, model.Kind, model.Examples, model.Failures, model.AgeCurveKind, model.AgeCurve.Shape, model.AgeCurve.ScaleDays);
        return _model = model;
    }
}
