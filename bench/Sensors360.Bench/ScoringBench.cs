using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using Sensors360.Contracts;
using Sensors360.TestSupport;

namespace Sensors360.Bench;

/// <summary>
/// (k) One failure-prediction pass of Monitor.Worker over a fleet with 14 days of history: sensors beating every
/// 10 minutes (so their baseline reaches back the whole 14 days), written straight in as hourly and daily roll-ups plus
/// the hour under way as raw heartbeats. Timed by the worker itself, with its resident memory sampled throughout. The
/// baseline is a bare read of the hourly roll-ups: a floor for any pass that reads them all. Its sensors are retired
/// afterwards.
/// </summary>
public static class ScoringBench
{
    const int Days = 14;

    // What a sensor's 14 days take on disk, as this scenario writes them: its hourly rows (3.8 GB per 100,000 sensors)
    // with their key (5.5 GB, written hour after hour as the worker writes it, so its pages are far from full), its
    // daily rows and its registry and liveness rows (measured on 120,000 sensors).
    const long BytesPerSensor = 100_000;

    // Left free for the write-ahead log (up to 4 GB here) and for the scenarios after this one, which write fleets of their own.
    const long SpareBytes = 15L << 30;

    public static async Task<BenchRow[]> RunAsync(BenchSystem system, NpgsqlDataSource db, int sensors, CancellationToken cancellationToken)
    {
        sensors = await FleetThatFitsAsync(db, sensors, cancellationToken);
        if (sensors == 0)
        {
            return [];
        }
        Console.WriteLine($"(k) writing {sensors:#,0} sensors with {Days} days of hourly roll-ups");
        var watch = Stopwatch.StartNew();
        var (first, last, hour) = await WriteFleetAsync(db, sensors, cancellationToken);
        Console.WriteLine($"    fleet ready after {watch.Elapsed.TotalSeconds:0} s");

        var floor = Stopwatch.StartNew();
        await using (var read = db.CreateCommand("SELECT sum(beats), sum(gap_sum) FROM heartbeat_hours WHERE sensor_id BETWEEN $1 AND $2 AND hour >= $3"))
        {
            read.CommandTimeout = 0;
            read.Parameters.AddWithValue(first);
            read.Parameters.AddWithValue(last);
            read.Parameters.AddWithValue(hour.AddDays(-Days));
            await read.ExecuteScalarAsync(cancellationToken);
        }
        var floorSeconds = floor.Elapsed.TotalSeconds;

        using var worker = new HttpClient { BaseAddress = system.Http("monitor-worker"), Timeout = TimeSpan.FromHours(1) }.WithServiceKey(ServiceKeys.AppHost);
        var samples = new List<double>();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                samples.Add(system.ResidentBytes("monitor-worker", "Monitor.Worker") / 1024.0 / 1024.0);
                await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
            }
        }, CancellationToken.None);
        ScoreReport report;
        try
        {
            using var response = await worker.PostAsync(ScoreReport.Path, null, cancellationToken);
            response.EnsureSuccessStatusCode();
            report = (await response.Content.ReadFromJsonAsync<ScoreReport>(cancellationToken))!;
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }
        // Retired, so that the scenarios after this one neither score nor scan them.
        foreach (var sql in new[]
        {
            "UPDATE sensors SET retired_at = now() WHERE id BETWEEN $1 AND $2",
            "UPDATE sensor_liveness SET state = 'retired', state_since = now() WHERE sensor_id BETWEEN $1 AND $2",
        })
        {
            await using var retire = db.CreateCommand(sql);
            retire.CommandTimeout = 0;
            retire.Parameters.AddWithValue(first);
            retire.Parameters.AddWithValue(last);
            await retire.ExecuteNonQueryAsync(cancellationToken);
        }
        var peak = samples.Max();
        Console.WriteLine($"(k) scored {report.Scored:#,0} sensors in {report.Seconds:0.0} s ({report.AtRisk:#,0} at risk); bare read of their roll-ups "
            + $"{floorSeconds:0.0} s; worker RSS peak {peak:0} MB over {samples.Count} samples");
        var scale = $"{report.Scored:#,0} sensors × {Days} days";
        return
        [
            new($"(k) scoring pass, {scale}", "seconds per pass", report.Seconds, floorSeconds, "bare read of the same roll-ups",
                "well inside the 300 s period (≤ 150 s)", report.Seconds <= 150, "s") { LowerIsBetter = true },
            new($"(k) scoring pass, {scale}", "worker RSS (peak, 4 samples/s)", peak, null, "", "≤ 1,000 MB", peak <= 1_000, "MB") { LowerIsBetter = true },
        ];
    }

    /// <summary>
    /// As many of <paramref name="sensors"/> as the database's disk holds with <see cref="SpareBytes"/> to spare, in
    /// tens of thousands: a fleet that fills the disk would stop the database, not measure it.
    /// </summary>
    static async Task<int> FleetThatFitsAsync(NpgsqlDataSource db, int sensors, CancellationToken cancellationToken)
    {
        string directory;
        try
        {
            await using var show = db.CreateCommand("SHOW data_directory");
            directory = (string)(await show.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            Console.WriteLine($"(k) the database's disk cannot be checked ({e.MessageText}); writing {sensors:#,0} sensors");
            return sensors;
        }
        if (!Directory.Exists(directory))
        {
            return sensors; // A server on another machine (container mode): its disk is not ours to see.
        }
        var free = new DriveInfo(directory).AvailableFreeSpace;
        var fits = (int)Math.Clamp((free - SpareBytes) / BytesPerSensor / 10_000 * 10_000, 0, sensors);
        if (fits < sensors)
        {
            Console.WriteLine($"(k) {sensors:#,0} sensors need about {sensors * BytesPerSensor / 1e9:0} GB for their roll-ups and "
                + $"{SpareBytes / 1e9:0} GB are kept for the scenarios after it; {free / 1e9:0} GB free under {directory}: "
                + (fits == 0 ? "not run" : $"scoring {fits:#,0} instead"));
        }
        return fits;
    }

    /// <summary>Sensors expected every 10 minutes, heard 6 times an hour for 14 days with a little jitter, as of the current hour.</summary>
    static async Task<(long First, long Last, DateTime Hour)> WriteFleetAsync(NpgsqlDataSource db, int sensors, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var hour = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        long first, last;
        await using (var command = new NpgsqlCommand("""
            WITH registered AS (
                INSERT INTO sensors (tag, labels, created_at, key_hash, expected_interval, stale_after)
                SELECT 'score-' || g || '-' || $2, '{}'::jsonb, $3 - interval '15 days', md5(g::text || $2) || md5($2 || g::text),
                       interval '10 minutes', interval '30 minutes'
                FROM generate_series(1, $1) AS g
                RETURNING id
            ), live AS (
                INSERT INTO sensor_liveness (sensor_id, first_heartbeat_at, last_heartbeat_at, last_received_at, heartbeat_count,
                                             state, state_since, late_at, down_at)
                SELECT id, $3 - interval '14 days', $3, $3, 2016, 'up', $3 - interval '14 days', $3 + interval '1 day', $3 + interval '1 day'
                FROM registered
                RETURNING sensor_id
            )
            SELECT min(sensor_id), max(sensor_id) FROM live
            """, connection))
        {
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue(sensors);
            command.Parameters.AddWithValue(tag);
            command.Parameters.AddWithValue(hour);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        // Slices of sensors, so that progress shows and no statement runs for many minutes.
        const int slice = 20_000;
        for (var from = first; from <= last; from += slice)
        {
            await WriteHoursAsync(connection, from, Math.Min(last, from + slice - 1), hour.AddDays(-Days), hour, cancellationToken);
            Console.Write($"\r    roll-ups: {(double)(Math.Min(last, from + slice - 1) - first + 1) / sensors:P0}   ");
        }
        Console.WriteLine();
        foreach (var table in new[] { "heartbeat_hours", "heartbeat_days" })
        {
            await using var analyze = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var analyze = new NpgsqlCommand("ANALYZE sensors", connection) { CommandTimeout = 0 })
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        // The pass reads the hour under way raw: written last, so that it is still under way when the pass starts. Should
        // the hour have turned while the roll-ups were written, the hours since are rolled up too.
        now = DateTime.UtcNow;
        var current = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
        if (current > hour)
        {
            await WriteHoursAsync(connection, first, last, hour, current, cancellationToken);
        }
        await using (var latest = new NpgsqlCommand("""
            INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
            SELECT id, t, t FROM generate_series($1::bigint, $2::bigint) AS id,
                                 LATERAL (SELECT greatest($3 - (id % 600) * interval '1 second', $4) AS t) AS latest
            """, connection) { CommandTimeout = 0 })
        {
            latest.Parameters.AddWithValue(first);
            latest.Parameters.AddWithValue(last);
            latest.Parameters.AddWithValue(now);
            latest.Parameters.AddWithValue(current);
            await latest.ExecuteNonQueryAsync(cancellationToken);
        }
        return (first, last, hour);
    }

    /// <summary>
    /// Sensors <paramref name="from"/> to <paramref name="to"/> heard 6 times an hour from <paramref name="since"/> until
    /// <paramref name="until"/>, hour by hour as the heartbeat writer stores them: a sensor's hours lie on different pages.
    /// </summary>
    static async Task WriteHoursAsync(NpgsqlConnection connection, long from, long to, DateTime since, DateTime until, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO heartbeat_hours (sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum, longest_gap)
            SELECT id, h, 6, h + j * interval '1 second', h + interval '50 minutes' + j * interval '1 second', 6,
                   3600, 5 * (600 - j) ^ 2 + (600 + 5 * j) ^ 2, 0, 0, 600 + 5 * j
            FROM generate_series($3, $4 - interval '1 hour', interval '1 hour') AS h,
                 generate_series($1::bigint, $2::bigint) AS id,
                 LATERAL (SELECT ((id + extract(epoch FROM h)::bigint / 3600) % 7)::int AS j) AS jitter
            """, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(since);
        command.Parameters.AddWithValue(until);
        await command.ExecuteNonQueryAsync(cancellationToken);

        // Their days, as the writer keeps them in step (a day already begun gets the hours added to it).
        await using var days = new NpgsqlCommand("""
            INSERT INTO heartbeat_days AS d (sensor_id, day, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
            SELECT sensor_id, date_trunc('day', hour, 'UTC'), sum(beats), max(last_at), sum(gaps), sum(gap_sum), sum(gap_sumsq),
                   sum(silences), sum(silence_sum)
            FROM heartbeat_hours
            WHERE hour >= $3 AND hour < $4 AND sensor_id BETWEEN $1 AND $2
            GROUP BY 1, 2
            ON CONFLICT (sensor_id, day) DO UPDATE SET
                beats = d.beats + EXCLUDED.beats, last_at = GREATEST(d.last_at, EXCLUDED.last_at), gaps = d.gaps + EXCLUDED.gaps,
                gap_sum = d.gap_sum + EXCLUDED.gap_sum, gap_sumsq = d.gap_sumsq + EXCLUDED.gap_sumsq,
                silences = d.silences + EXCLUDED.silences, silence_sum = d.silence_sum + EXCLUDED.silence_sum
            """, connection) { CommandTimeout = 0 };
        days.Parameters.AddWithValue(from);
        days.Parameters.AddWithValue(to);
        days.Parameters.AddWithValue(since);
        days.Parameters.AddWithValue(until);
        await days.ExecuteNonQueryAsync(cancellationToken);
    }
}
