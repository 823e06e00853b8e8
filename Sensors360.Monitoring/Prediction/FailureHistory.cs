using Npgsql;
using Sensors360.Monitoring.Analytics;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Prediction;

/// <summary>One sensor's life as the registry records it (sensor clock for heartbeats, server clock for retirement).</summary>
public readonly record struct SensorLifeRecord(
    long SensorId, DateTimeOffset FirstHeartbeat, DateTimeOffset LastHeartbeat, DateTimeOffset? RetiredAt, RetirementReason? RetirementReason = null);

/// <summary>
/// Which sensors had failed, and when, as judged at a given moment: a sensor failed at its last heartbeat when it was
/// retired by then (unless for a reason other than failure: replaced preventively, decommissioned), or had been silent
/// longer than the dead-after threshold. Failed sensors are the model's labels; a sensor still going, or retired alive
/// for another reason, is censored. Anything after the moment is ignored, so the backtest cannot peek.
/// </summary>
public sealed class FailureHistory(IReadOnlyList<SensorLifeRecord> records, TimeSpan deadAfter)
{
    public IReadOnlyList<SensorLifeRecord> Records => records;

    public static async Task<FailureHistory> LoadAsync(NpgsqlConnection connection, TimeSpan deadAfter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT id, first_heartbeat_at, coalesce(last_heartbeat_at, first_heartbeat_at), retired_at, retirement_reason
            FROM sensor_status WHERE first_heartbeat_at IS NOT NULL
            """,
            connection) { CommandTimeout = 0 };
        var list = new List<SensorLifeRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new SensorLifeRecord(
                reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : RetirementReasonNames.Parse(reader.GetString(4))));
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
            if (!record.RetirementReason.CountsAsFailure())
            {
                // Retired alive, on purpose: a failure only if it had died before.
                return retired - record.LastHeartbeat > deadAfter ? record.LastHeartbeat : null;
            }
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
            var censoredAt = record.RetiredAt is { } retired && retired <= at ? retired : at;
            lives.Add(FailedAt(record, at) is { } failed
                ? new Life(Positive(failed - record.FirstHeartbeat), Ended: true)
                : new Life(Positive(censoredAt - record.FirstHeartbeat), Ended: false));
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
