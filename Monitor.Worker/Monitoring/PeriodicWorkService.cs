using MassTransit;
using Microsoft.Extensions.Options;
using Monitor.Worker.Storage;
using Npgsql;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Monitoring;

/// <summary>
/// The status snapshot (every <see cref="MonitorOptions.SnapshotPeriod"/>) and the staleness scan (every
/// <see cref="MonitorOptions.ScanPeriod"/>). Of several worker replicas exactly one does this work: the one holding a
/// PostgreSQL session advisory lock. The lock dies with its session, so when that worker dies another one, retrying
/// every snapshot period, takes over within one period.
/// </summary>
public sealed class PeriodicWorkService(
    NpgsqlDataSource dataSource, FleetStatistics statistics, StalenessScanner scanner, FleetWatermark fleetWatermark, IBus bus,
    IOptions<MonitorOptions> options, MonitorMetrics metrics, TimeProvider clock, ILogger<PeriodicWorkService> logger) : BackgroundService
{
    volatile bool _leader;

    /// <summary>Whether this instance currently runs the periodic work (reported on /health).</summary>
    public bool IsLeader => _leader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.SnapshotPeriod;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (await SessionLocks.TryTakeAsync(connection, SessionLocks.PeriodicWork, stoppingToken))
                {
                    _leader = true;
                    logger.LogInformation("This worker now runs the periodic work (snapshot every {Snapshot}, scan every {Scan})",
                        period, options.Value.ScanPeriod);
                    // On its own connection, so that scans and snapshots are not held up by a large fleet's realignment.
                    _ = Task.Run(() => RealignDeadlinesAsync(stoppingToken), stoppingToken);
                    await LeadAsync(connection, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Database or broker trouble: give up the lock (the connection closes) and try again next period,
                // rather than letting the exception stop the whole worker.
                logger.LogWarning(ex, "Periodic work interrupted; retrying");
            }
            finally
            {
                _leader = false;
            }

            await Task.Delay(period, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    async Task RealignDeadlinesAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
            if (await scanner.RealignDeadlinesAsync(connection, stoppingToken) is > 0 and var realigned)
            {
                logger.LogInformation("Late/down deadlines of {Count} sensors recomputed from the current default timings", realigned);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning(ex, "Recomputing deadlines stopped; the next leader retries");
        }
    }

    async Task LeadAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var snapshotPeriod = options.Value.SnapshotPeriod;
        var scanPeriod = options.Value.ScanPeriod;
        using var timer = new PeriodicTimer(snapshotPeriod < scanPeriod ? snapshotPeriod : scanPeriod, clock);
        var nextScan = clock.GetUtcNow();
        var nextSnapshot = nextScan;
        FleetFigures? previous = null;
        do
        {
            var now = clock.GetUtcNow();
            // Every worker's progress, not only this one's: the others may be storing older heartbeats right now.
            var watermark = await fleetWatermark.ReadAsync(connection, stoppingToken);
            if (now >= nextScan)
            {
                await ScanAsync(connection, now, watermark, stoppingToken);
                nextScan = now + scanPeriod;
            }
            if (now >= nextSnapshot)
            {
                previous = await PublishSnapshotAsync(connection, now, watermark, previous, stoppingToken);
                nextSnapshot = now + snapshotPeriod;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    async Task<FleetFigures> PublishSnapshotAsync(
        NpgsqlConnection connection, DateTimeOffset now, DateTimeOffset watermark, FleetFigures? previous, CancellationToken stoppingToken)
    {
        var figures = await statistics.ComputeAsync(connection, now, watermark, stoppingToken);
        var elapsed = previous is null ? 0 : (figures.At - previous.At).TotalSeconds;
        var rate = elapsed > 0 ? Math.Max(0, figures.HeartbeatCount - previous!.HeartbeatCount) / elapsed : 0;
        var behind = IngestLag.Seconds(now, watermark);
        await PublishPeriodicAsync(new SensorStatusSnapshot(
            figures.At, figures.Total, figures.New, figures.Up, figures.Late, figures.Down, figures.Retired,
            figures.PercentStale, figures.MeanIntervalSeconds, figures.MeanLifespanDays, rate,
            behind, IngestLag.IsBehind(behind, options.Value.BehindAfter)), stoppingToken);
        return figures;
    }

    /// <summary>
    /// A staleness scan outside the schedule, on any replica: the transition is one statement that skips sensors
    /// another scan has locked, so it never moves a sensor twice, and its stale report supersedes the scheduled one.
    /// </summary>
    public async Task<StalenessScanner.ScanResult> ScanNowAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var watermark = await fleetWatermark.ReadAsync(connection, cancellationToken);
        return await ScanAsync(connection, clock.GetUtcNow(), watermark, cancellationToken);
    }

    async Task<StalenessScanner.ScanResult> ScanAsync(NpgsqlConnection connection, DateTimeOffset now, DateTimeOffset watermark, CancellationToken stoppingToken)
    {
        var started = clock.GetTimestamp();
        var result = await scanner.ScanAsync(connection, now, watermark, stoppingToken);
        metrics.Scanned(clock.GetElapsedTime(started));
        await PublishPeriodicAsync(new StaleSensorsDetected(now, options.Value.DefaultStaleAfter, result.StaleCount, result.StaleIds), stoppingToken);
        if (result.Flips > 0)
        {
            logger.LogInformation("Staleness scan: {Transitions} transitions, {Stale} stale sensors", result.Flips, result.StaleCount);
        }
        return result;
    }

    /// <summary>
    /// Publishes a snapshot or a stale report, waiting for the broker at most one snapshot period: the next one
    /// supersedes it, and with the broker down the scan must go on moving sensors (their flips wait in the outbox).
    /// </summary>
    async Task PublishPeriodicAsync<T>(T message, CancellationToken stoppingToken) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.SnapshotPeriod);
        try
        {
            await bus.Publish(message, timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogDebug("The broker did not take the {Message} within a snapshot period; skipped", typeof(T).Name);
        }
    }
}
