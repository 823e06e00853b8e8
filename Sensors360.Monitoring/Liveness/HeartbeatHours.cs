using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Monitoring.Liveness;

/// <summary>
/// The <c>heartbeat_hours</c> and <c>heartbeat_days</c> roll-ups (see the HeartbeatHours migration): what a batch of
/// in-order heartbeats adds to them, and their rebuild from raw heartbeats for whatever did not come in order.
/// </summary>
public sealed class HeartbeatHours
{
    readonly List<long> _sensorIds = [];
    readonly List<DateTime> _hours = [];
    readonly List<int> _beats = [];
    readonly List<DateTime> _firsts = [];
    readonly List<DateTime> _lasts = [];
    readonly List<int> _gaps = [];
    readonly List<double> _gapSums = [];
    readonly List<double> _gapSquares = [];
    readonly List<int> _silences = [];
    readonly List<double> _silenceSums = [];
    readonly List<double?> _longest = [];

    public int Count => _sensorIds.Count;

    /// <summary>
    /// Adds one heartbeat of a sensor, in sensor and time order. <paramref name="previous"/> is the sensor's heartbeat
    /// before it (null for its first ever); gaps longer than <paramref name="staleSeconds"/> count as silences.
    /// </summary>
    public void Add(long sensorId, DateTime time, DateTime? previous, double staleSeconds)
    {
        var hour = new DateTime(time.Ticks - time.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
        if (Count == 0 || _sensorIds[^1] != sensorId || _hours[^1] != hour)
        {
            _sensorIds.Add(sensorId);
            _hours.Add(hour);
            _beats.Add(0);
            _firsts.Add(time);
            _lasts.Add(time);
            _gaps.Add(0);
            _gapSums.Add(0);
            _gapSquares.Add(0);
            _silences.Add(0);
            _silenceSums.Add(0);
            _longest.Add(null);
        }
        _beats[^1]++;
        _lasts[^1] = time;
        if (previous is not { } before)
        {
            return;
        }
        var gap = (double)(time - before).Ticks / TimeSpan.TicksPerSecond;
        if (gap <= staleSeconds)
        {
            _gaps[^1]++;
            _gapSums[^1] += gap;
            _gapSquares[^1] += gap * gap;
        }
        else
        {
            _silences[^1]++;
            _silenceSums[^1] += gap;
        }
        _longest[^1] = _longest[^1] is { } longest && longest >= gap ? longest : gap;
    }

    /// <summary>
    /// CTEs (named <c>hours</c> and <c>days</c>, to follow a <c>WITH</c> or a comma) that add these figures to the stored
    /// hours and to their UTC days.
    /// </summary>
    public const string Upsert = """
        hours AS (
            INSERT INTO heartbeat_hours AS h (sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq, silences,
                                              silence_sum, longest_gap)
            SELECT * FROM unnest(@hour_sensor_ids::bigint[], @hour_starts::timestamptz[], @hour_beats::int[],
                                 @hour_firsts::timestamptz[], @hour_lasts::timestamptz[], @hour_gaps::int[],
                                 @hour_gap_sums::float8[], @hour_gap_squares::float8[], @hour_silences::int[],
                                 @hour_silence_sums::float8[], @hour_longest::float8[])
            ON CONFLICT (sensor_id, hour) DO UPDATE SET
                beats = h.beats + EXCLUDED.beats,
                first_at = LEAST(h.first_at, EXCLUDED.first_at),
                last_at = GREATEST(h.last_at, EXCLUDED.last_at),
                gaps = h.gaps + EXCLUDED.gaps,
                gap_sum = h.gap_sum + EXCLUDED.gap_sum,
                gap_sumsq = h.gap_sumsq + EXCLUDED.gap_sumsq,
                silences = h.silences + EXCLUDED.silences,
                silence_sum = h.silence_sum + EXCLUDED.silence_sum,
                longest_gap = GREATEST(h.longest_gap, EXCLUDED.longest_gap)
        ), days AS (
            INSERT INTO heartbeat_days AS d (sensor_id, day, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
            SELECT sensor_id, date_trunc('day', hour, 'UTC'), sum(beats), max(last_at), sum(gaps), sum(gap_sum), sum(gap_sumsq),
                   sum(silences), sum(silence_sum)
            FROM unnest(@hour_sensor_ids::bigint[], @hour_starts::timestamptz[], @hour_beats::int[], @hour_lasts::timestamptz[],
                        @hour_gaps::int[], @hour_gap_sums::float8[], @hour_gap_squares::float8[], @hour_silences::int[],
                        @hour_silence_sums::float8[]) AS added(sensor_id, hour, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
            GROUP BY 1, 2
            ON CONFLICT (sensor_id, day) DO UPDATE SET
                beats = d.beats + EXCLUDED.beats,
                last_at = GREATEST(d.last_at, EXCLUDED.last_at),
                gaps = d.gaps + EXCLUDED.gaps,
                gap_sum = d.gap_sum + EXCLUDED.gap_sum,
                gap_sumsq = d.gap_sumsq + EXCLUDED.gap_sumsq,
                silences = d.silences + EXCLUDED.silences,
                silence_sum = d.silence_sum + EXCLUDED.silence_sum
        )
        """;

    public void AddParameters(NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter<long[]>("hour_sensor_ids", [.. _sensorIds]));
        command.Parameters.Add(Timestamps("hour_starts", _hours));
        command.Parameters.Add(new NpgsqlParameter<int[]>("hour_beats", [.. _beats]));
        command.Parameters.Add(Timestamps("hour_firsts", _firsts));
        command.Parameters.Add(Timestamps("hour_lasts", _lasts));
        command.Parameters.Add(new NpgsqlParameter<int[]>("hour_gaps", [.. _gaps]));
        command.Parameters.Add(new NpgsqlParameter<double[]>("hour_gap_sums", [.. _gapSums]));
        command.Parameters.Add(new NpgsqlParameter<double[]>("hour_gap_squares", [.. _gapSquares]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("hour_silences", [.. _silences]));
        command.Parameters.Add(new NpgsqlParameter<double[]>("hour_silence_sums", [.. _silenceSums]));
        command.Parameters.Add(new NpgsqlParameter<double?[]>("hour_longest", [.. _longest]));
    }

    /// <summary>Recomputes each sensor's hours from its <paramref name="sinces"/> entry on, from the raw heartbeats.</summary>
    public static async Task<int> RebuildAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] sensorIds, DateTime[] sinces, TimeSpan defaultStale,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT rebuild_heartbeat_hours($1, $2, $3)", connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = sensorIds });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = sinces });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = defaultStale });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Every sensor's hours from scratch: for histories written straight into <c>heartbeats</c>.</summary>
    public static async Task<int> RebuildAllAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, TimeSpan defaultStale, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(rebuild_heartbeat_hours(array_agg(id), array_agg('-infinity'::timestamptz), $1), 0) FROM sensors
            """, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = defaultStale });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    static NpgsqlParameter<DateTime[]> Timestamps(string name, List<DateTime> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. values] };
}
