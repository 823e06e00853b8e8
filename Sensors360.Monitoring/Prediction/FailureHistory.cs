using Npgsql;
using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Prediction;

/// <summary>One sensor's life as the registry records it (sensor clock for heartbeats, server clock for retirement).</summary>
public readonly record struct SensorLifeRecord(long SensorId, DateTimeOffset FirstHeartbeat, DateTimeOffset LastHeartbeat, DateTimeOffset? RetiredAt);

/// <summary>
/// Which sensors had failed, and when, as judged at a given moment: a sensor failed at its last heartbeat when it was
/// retired by then, or had been silent longer than the dead-after threshold. Retired and dead sensors are the model's
/// labels; a sensor still going is censored. Anything after the moment is ignored, so the backtest cannot peek.
/// </summary>
public sealed class FailureHistory(IReadOnlyList<SensorLifeRecord> records, TimeSpan deadAfter)
{
    public IReadOnlyList<SensorLifeRecord> Records => records;

    public static async Task<FailureHistory> LoadAsync(NpgsqlConnection connection, TimeSpan deadAfter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, first_heartbeat_at, coalesce(last_heartbeat_at, first_heartbeat_at), retired_at FROM sensor_status WHERE first_heartbeat_at IS NOT NULL",
            connection) { CommandTimeout = 0 };
        var list = new List<SensorLifeRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new SensorLifeRecord(
                reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return new FailureHistory(list, deadAfter);
    }

    /// <summary>When the sensor failed, if that was known at <paramref name="at"/>.</summary>
    public DateTimeOffset? FailedAt(SensorLifeRecord record, DateTimeOffset at)
    {
        if (record.FirstHeartbeat > at)
        {
            return null;
        }
        if (record.RetiredAt is { } retired && retired <= at)
        {
            return record.LastHeartbeat < retired ? record.LastHeartbeat : retired;
        }
        // A last heartbeat after the moment means the sensor was still alive then.
        return record.LastHeartbeat <= at && at - record.LastHeartbeat > deadAfter ? record.LastHeartbeat : null;
    }

    /// <summary>Every life begun by <paramref name="at"/>: ended at its failure, or censored at the moment.</summary>
    public List<Life> LivesAt(DateTimeOffset at)
    {
        var lives = new List<Life>(records.Count);
        foreach (var record in records)
        {
            if (record.FirstHeartbeat > at)
            {
                continue;
            }
            lives.Add(FailedAt(record, at) is { } failed
                ? new Life(Positive(failed - record.FirstHeartbeat), Ended: true)
                : new Life(Positive(at - record.FirstHeartbeat), Ended: false));
        }
        return lives;
    }

    /// <summary>The failures known at <paramref name="at"/>, by sensor.</summary>
    public Dictionary<long, DateTimeOffset> FailuresKnownAt(DateTimeOffset at)
    {
        var failures = new Dictionary<long, DateTimeOffset>();
        foreach (var record in records)
        {
            if (FailedAt(record, at) is { } failed)
            {
                failures[record.SensorId] = failed;
            }
        }
        return failures;
    }

    static TimeSpan Positive(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
