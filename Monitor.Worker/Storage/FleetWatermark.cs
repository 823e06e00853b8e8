using Npgsql;
using NpgsqlTypes;

namespace Monitor.Worker.Storage;

/// <summary>
/// The watermark of every worker together. With several workers consuming the heartbeats queue, a batch another worker
/// is still storing is in neither this worker's <see cref="IngestProgress"/> nor the broker's ready count, so the
/// leader's own watermark alone could call a sensor late whose heartbeat is on its way into the database. Each worker
/// writes its own watermark to <c>worker_watermarks</c> every <see cref="ReportPeriod"/>; the leader judges deadlines
/// as of the lowest among its own and those of the workers heard from within <see cref="Remembered"/>.
/// </summary>
public sealed class FleetWatermark(NpgsqlDataSource dataSource, IngestLag lag, ILogger<FleetWatermark> logger) : BackgroundService
{
    static readonly TimeSpan ReportPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a worker's last report still counts after it went silent. A worker killed mid-batch leaves its batches
    /// to the broker, which hands them to another worker; until that one has stored them, the dead worker's last
    /// watermark is the honest bound for them.
    /// </summary>
    static readonly TimeSpan Remembered = TimeSpan.FromSeconds(10);

    /// <summary>Reports of workers silent this long are deleted.</summary>
    static readonly TimeSpan Forgotten = TimeSpan.FromHours(1);

    /// <summary>This worker process, in <c>worker_watermarks</c>.</summary>
    readonly Guid _worker = Guid.NewGuid();

    /// <summary>The lowest watermark of this worker's, as of now, and the other workers' heard from lately.</summary>
    public Task<DateTimeOffset> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        LowestAsync(connection, _worker, lag.Watermark(), cancellationToken);

    /// <summary>
    /// <paramref name="own"/> lowered to the lowest watermark other workers reported within <see cref="Remembered"/>;
    /// <see cref="DateTimeOffset.MinValue"/> (nothing can be judged) while one of them knows nothing of its progress.
    /// </summary>
    static async Task<DateTimeOffset> LowestAsync(NpgsqlConnection connection, Guid worker, DateTimeOffset own, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT bool_or(watermark IS NULL), min(watermark) FROM worker_watermarks
            WHERE worker <> $1 AND reported_at > now() - $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = worker });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Remembered, NpgsqlDbType = NpgsqlDbType.Interval });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (!reader.IsDBNull(0) && reader.GetBoolean(0))
        {
            return DateTimeOffset.MinValue;
        }
        var others = reader.IsDBNull(1) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(1);
        return others is { } lowest && lowest < own ? lowest : own;
    }

    /// <summary>Writes <paramref name="watermark"/> as the worker's own, as of the database's clock; unknown is null.</summary>
    static async Task ReportAsync(NpgsqlConnection connection, Guid worker, DateTimeOffset watermark, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO worker_watermarks (worker, watermark, reported_at) VALUES ($1, $2, now())
            ON CONFLICT (worker) DO UPDATE SET watermark = excluded.watermark, reported_at = excluded.reported_at
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = worker });
        command.Parameters.Add(new NpgsqlParameter { Value = watermark == DateTimeOffset.MinValue ? DBNull.Value : watermark, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ForgetSilentAsync(stoppingToken);
        using var timer = new PeriodicTimer(ReportPeriod);
        try
        {
            do
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                    await ReportAsync(connection, _worker, lag.Watermark(), stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    // Without the database nothing is stored either; the next period reports again.
                    logger.LogDebug(ex, "Could not report this worker's watermark");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    async Task ForgetSilentAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("DELETE FROM worker_watermarks WHERE reported_at < now() - $1");
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Forgotten, NpgsqlDbType = NpgsqlDbType.Interval });
            await command.ExecuteNonQueryAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not delete the reports of long-silent workers");
        }
    }
}
