using System.Diagnostics;
using Npgsql;

namespace Sensors360.Bench;

/// <summary>
/// (j) A sensor's heartbeats exported as CSV: the worker's resident memory while it writes a million rows, against the
/// size of the file (what holding the export before sending it would take at the least), and the rows per second.
/// </summary>
public static class ExportBench
{
    public static async Task<BenchRow[]> RunAsync(BenchSystem system, NpgsqlDataSource db, int rows, CancellationToken cancellationToken)
    {
        var (id, _) = (await system.RegisterSensorsWithKeysAsync($"export-{Guid.NewGuid():N}", 1))[0];
        var end = DateTimeOffset.UtcNow.AddMinutes(-1);
        var start = end.AddMilliseconds(-200.0 * (rows - 1));
        // 5 a second, ending a minute ago: within the partitions the worker keeps.
        await using (var insert = db.CreateCommand("""
            INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
            SELECT @id, @start + n * interval '200 ms', @start + n * interval '200 ms' + interval '30 ms'
            FROM generate_series(0, @rows - 1) AS n
            """))
        {
            insert.CommandTimeout = 600;
            insert.Parameters.Add(new NpgsqlParameter<long>("id", id));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("start", start));
            insert.Parameters.Add(new NpgsqlParameter<int>("rows", rows));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        double Rss() => system.ResidentBytes("monitor-worker", "Monitor.Worker") / 1024.0 / 1024.0;
        var before = Enumerable.Range(0, 5).Select(_ => { Thread.Sleep(200); return Rss(); }).Max();
        var peak = before;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss());
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);

        using var worker = system.Worker();
        var clock = Stopwatch.StartNew();
        long bytes = 0, lines = 0;
        var url = $"/api/sensors/{id}/heartbeats/export?from={Uri.EscapeDataString(start.ToString("O"))}&to={Uri.EscapeDataString(end.ToString("O"))}";
        using (var response = await worker.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                bytes += read;
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;

        var exported = lines - 1;
        if (exported != rows)
        {
            throw new InvalidOperationException($"(j) exported {exported:#,0} rows, not {rows:#,0}.");
        }
        var fileMb = bytes / 1024.0 / 1024.0;
        var growth = Math.Max(0, peak - before);
        Console.WriteLine($"(j) {exported:#,0} heartbeats, {fileMb:0.0} MB of CSV in {seconds:0.0} s; worker RSS {before:0} MB before, {peak:0} MB at most while exporting");
        return
        [
            new($"(j) CSV export of {rows:#,0} heartbeats", "worker RSS growth while exporting", growth, fileMb, "the file's size", "≤ 64 MB", growth <= 64, "MB") { LowerIsBetter = true },
            new($"(j) CSV export of {rows:#,0} heartbeats", "rows per second", exported / seconds, null, "", "≥ 100,000 rows/s", exported / seconds >= 100_000, "rows/s"),
        ];
    }
}
