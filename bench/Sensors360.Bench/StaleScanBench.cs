using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Sensors360.Measurement;
using Sensors360.Monitoring.Liveness;

namespace Sensors360.Bench;

/// <summary>
/// (d) The staleness scan over a large fleet: Monitor.Worker's own scanner (due sensors through partial indexes on
/// their deadlines) against the original prototype's approach (every sensor's latest heartbeat by DISTINCT ON over the whole
/// heartbeats table, keep those older than 10 minutes). Both run on the same data, in the same run, as of the moment
/// the fleet was written.
/// </summary>
public static class StaleScanBench
{

    const string OriginalQuery = """
        SELECT sensor_id FROM (
            SELECT DISTINCT ON (sensor_id) sensor_id, sensor_time FROM heartbeats ORDER BY sensor_id, sensor_time DESC
        ) latest
        WHERE sensor_time < $1 - interval '10 minutes'
        """;

    public static async Task<BenchRow[]> RunAsync(NpgsqlDataSource db, DateTimeOffset asOf, int sensors, int heartbeatsPerSensor, int oursRuns, int originalRuns, CancellationToken cancellationToken)
    {
        var scanner = new StalenessScanner(Options.Create(new MonitorOptions()), new OutboxSignal());
        await using var connection = await db.OpenConnectionAsync(cancellationToken);

        // The first scan settles anything that came due while the fleet was written; the timed ones are steady state.
        var now = asOf.AddSeconds(1);
        var settle = await scanner.ScanAsync(connection, now, now, cancellationToken);
        var (ours, staleCount) = await TimedScansAsync(scanner, connection, now, oursRuns, TimeSpan.Zero, cancellationToken);
        staleCount = oursRuns == 0 ? settle.StaleCount : staleCount;

        var original = new List<double>();
        long originalStale = 0;
        for (var run = 0; run < originalRuns; run++)
        {
            var watch = Stopwatch.StartNew();
            await using var command = new NpgsqlCommand(OriginalQuery, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue(now);
            originalStale = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    originalStale++;
                }
            }
            original.Add(watch.Elapsed.TotalMilliseconds);
        }

        var oursP50 = Latency.Of(ours).P50;
        var originalP50 = Latency.Of(original).P50;
        Console.WriteLine($"(d) ours p50 {oursP50:0.0} ms (stale {staleCount:#,0}); original p50 {originalP50:0} ms (stale {originalStale:#,0}); {originalP50 / oursP50:0}× faster");
        var scale = $"{sensors:#,0} sensors / {(long)sensors * heartbeatsPerSensor:#,0} heartbeats";
        return
        [
            new($"(d) stale scan, {scale}", $"p50 of {oursRuns} scans", oursP50, originalP50, $"original DISTINCT ON, p50 of {originalRuns}",
                "≤ 100 ms and ≥ 100× faster", oursP50 <= 100 && originalP50 / oursP50 >= 100, "ms") { LowerIsBetter = true },
        ];
    }

    /// <summary>
    /// The same steady-state scans, as of the same moment, timed while something else loads the system (in the bench,
    /// (g)'s fleet): <paramref name="runs"/> of them, <paramref name="spacing"/> apart. As of the fleet's moment, and
    /// after (d) settled it, nothing is due: the scans write nothing, so they do not disturb what runs beside them.
    /// </summary>
    public static async Task<LatencySummary> UnderLoadAsync(NpgsqlDataSource db, DateTimeOffset asOf, int runs, TimeSpan spacing, CancellationToken cancellationToken)
    {
        var scanner = new StalenessScanner(Options.Create(new MonitorOptions()), new OutboxSignal());
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var (times, _) = await TimedScansAsync(scanner, connection, asOf.AddSeconds(1), runs, spacing, cancellationToken);
        return Latency.Of(times);
    }

    static async Task<(List<double> Milliseconds, int StaleCount)> TimedScansAsync(
        StalenessScanner scanner, NpgsqlConnection connection, DateTimeOffset now, int runs, TimeSpan spacing, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var staleCount = 0;
        for (var run = 0; run < runs; run++)
        {
            if (run > 0 && spacing > TimeSpan.Zero)
            {
                await Task.Delay(spacing, cancellationToken);
            }
            var watch = Stopwatch.StartNew();
            var result = await scanner.ScanAsync(connection, now, now, cancellationToken);
            times.Add(watch.Elapsed.TotalMilliseconds);
            staleCount = result.StaleCount;
        }
        return (times, staleCount);
    }
}
