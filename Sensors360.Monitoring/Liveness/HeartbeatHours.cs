using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Monitoring.Liveness;

/// <summary>A sensor's heartbeat figures for one hour of its clock, as a row of <c>heartbeat_hours</c> holds them.</summary>
/// <param name="Gaps">Gaps up to the stale threshold, ending in this hour; longer ones are <paramref name="Silences"/>.</param>
public readonly record struct HourFigures(
    DateTime Hour, int Beats, DateTime FirstAt, DateTime LastAt, int Gaps, double GapSum, double GapSquares, int Silences,
    double SilenceSum, double? LongestGap)
{
    public static HourFigures Start(DateTime time) =>
        new(new DateTime(time.Ticks - time.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc), 0, time, time, 0, 0, 0, 0, 0, null);

    /// <summary>These figures with one more heartbeat, <paramref name="gap"/> seconds after the one before it (none for a sensor's first).</summary>
    public HourFigures Add(DateTime time, double? gap, double staleSeconds)
    {
        var figures = this with { Beats = Beats + 1, LastAt = time };
        if (gap is not { } seconds)
        {
            return figures;
        }
        figures = seconds <= staleSeconds
            ? figures with { Gaps = Gaps + 1, GapSum = GapSum + seconds, GapSquares = GapSquares + seconds * seconds }
            : figures with { Silences = Silences + 1, SilenceSum = SilenceSum + seconds };
        return figures with { LongestGap = LongestGap is { } longest && longest >= seconds ? longest : seconds };
    }
}

/// <summary>
/// What a batch of in-order heartbeats does to the roll-ups (see the HeartbeatHours migration): each sensor's hour under
/// way, kept in its liveness row, takes the heartbeats of its own hour; a heartbeat of a later hour finishes it, and
/// finished hours go to <c>heartbeat_hours</c> and <c>heartbeat_days</c>. So a batch within the hour writes no roll-up
/// row. Heartbeats that did not come in order are the rebuild's (<see cref="RebuildAsync"/>).
/// </summary>
public sealed class HeartbeatHours
{
    readonly List<long> _sensorIds = [];
    readonly List<HourFigures> _finished = [];
    readonly List<HourFigures?> _underWay = [];

    /// <summary>Starts the batch's next sensor, with its hour under way as stored (none before its first heartbeat).</summary>
    public void Begin(HourFigures? underWay) => _underWay.Add(underWay);

    /// <summary>
    /// Adds one heartbeat of the sensor begun last, in time order and newer than any it stored before.
    /// <paramref name="previous"/> is its heartbeat before this one (null for its first ever); gaps longer than
    /// <paramref name="staleSeconds"/> count as silences.
    /// </summary>
    public void Add(long sensorId, DateTime time, DateTime? previous, double staleSeconds)
    {
        var hour = HourFigures.Start(time);
        if (_underWay[^1] is { } underWay)
        {
            if (underWay.Hour == hour.Hour)
            {
                hour = underWay;
            }
            else
            {
                _sensorIds.Add(sensorId);
                _finished.Add(underWay);
            }
        }
        _underWay[^1] = hour.Add(time, previous is { } before ? (double)(time - before).Ticks / TimeSpan.TicksPerSecond : null, staleSeconds);
    }

    /// <summary>
    /// CTEs (named <c>hours</c> and <c>days</c>, to follow a <c>WITH</c> or a comma) that add the finished hours to the stored
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
        command.Parameters.Add(Timestamps("hour_starts", [.. _finished.Select(h => h.Hour)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("hour_beats", [.. _finished.Select(h => h.Beats)]));
        command.Parameters.Add(Timestamps("hour_firsts", [.. _finished.Select(h => h.FirstAt)]));
        command.Parameters.Add(Timestamps("hour_lasts", [.. _finished.Select(h => h.LastAt)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("hour_gaps", [.. _finished.Select(h => h.Gaps)]));
        command.Parameters.Add(new NpgsqlParameter<double[]>("hour_gap_sums", [.. _finished.Select(h => h.GapSum)]));
        command.Parameters.Add(new NpgsqlParameter<double[]>("hour_gap_squares", [.. _finished.Select(h => h.GapSquares)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("hour_silences", [.. _finished.Select(h => h.Silences)]));
        command.Parameters.Add(new NpgsqlParameter<double[]>("hour_silence_sums", [.. _finished.Select(h => h.SilenceSum)]));
        command.Parameters.Add(new NpgsqlParameter<double?[]>("hour_longest", [.. _finished.Select(h => h.LongestGap)]));

        command.Parameters.Add(NullableTimestamps("under_way_starts", [.. _underWay.Select(h => h?.Hour)]));
        command.Parameters.Add(new NpgsqlParameter<int?[]>("under_way_beats", [.. _underWay.Select(h => h?.Beats)]));
        command.Parameters.Add(NullableTimestamps("under_way_firsts", [.. _underWay.Select(h => h?.FirstAt)]));
        command.Parameters.Add(NullableTimestamps("under_way_lasts", [.. _underWay.Select(h => h?.LastAt)]));
        command.Parameters.Add(new NpgsqlParameter<int?[]>("under_way_gaps", [.. _underWay.Select(h => h?.Gaps)]));
        command.Parameters.Add(new NpgsqlParameter<double?[]>("under_way_gap_sums", [.. _underWay.Select(h => h?.GapSum)]));
        command.Parameters.Add(new NpgsqlParameter<double?[]>("under_way_gap_squares", [.. _underWay.Select(h => h?.GapSquares)]));
        command.Parameters.Add(new NpgsqlParameter<int?[]>("under_way_silences", [.. _underWay.Select(h => h?.Silences)]));
        command.Parameters.Add(new NpgsqlParameter<double?[]>("under_way_silence_sums", [.. _underWay.Select(h => h?.SilenceSum)]));
        command.Parameters.Add(new NpgsqlParameter<double?[]>("under_way_longest", [.. _underWay.Select(h => h?.LongestGap)]));
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

    static NpgsqlParameter<DateTime[]> Timestamps(string name, DateTime[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = values };

    static NpgsqlParameter<DateTime?[]> NullableTimestamps(string name, DateTime?[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = values };
}
