using System.Diagnostics;
using Npgsql;

namespace Sensors360.Bench;

/// <summary>
/// (a) durable ingest with 500 heartbeats per request, as fast as answered, against a raw binary COPY of the same kind
/// of rows into an empty partition of the same table (<see cref="CopyBaseline"/>, taken first); (b) one heartbeat per
/// request, against a Kestrel hello-world answering 202 to the same requests, driven by the same load tool. "Durable"
/// means answered 202 after RabbitMQ confirmed; the stored rate is counted in PostgreSQL, and the depth of the
/// heartbeats queue is sampled every second.
/// </summary>
public static class IngestBench
{
    const int Sensors = 10_000;

    /// <summary>Heartbeats per request in (a) and in (g)'s fleet.</summary>
    public const int Batch = 500;

    /// <summary>(a): what it accepted and stored per second, against the COPY baseline; with the run, (i)'s baseline.</summary>
    public static async Task<(BenchRow[] Rows, LoadResult Run)> RunBatchedAsync(
        BenchSystem system, NpgsqlDataSource db, QueueMonitor queue, BenchReport report, TimeSpan duration, double copy, CancellationToken cancellationToken)
    {
        var (ids, key) = await RegisterAsync(system, "ingest-a");
        var ours = await SaturateAsync(system, ids, key, "batched", duration, report, queue, cancellationToken);
        var stored = ours.StoredPerSecond;
        var depth = ours.QueueDepth;
        Console.WriteLine($"(a) accepted {ours.AcceptedPerSecond:#,0}/s, stored {stored:#,0}/s; raw COPY (idle, measured first) {copy:#,0} rows/s; {depth}");
        var plan = await WriteExplain.ExplainAsync(db, ids, 1000, cancellationToken);
        Console.WriteLine("    The consumer's lock and bookkeeping for 1,000 heartbeats, explained:");
        Console.WriteLine(plan);
        report.Profiles.Add("lock and bookkeeping for 1,000 heartbeats (EXPLAIN ANALYZE, after the batched run):" + Environment.NewLine + "```" + Environment.NewLine + plan + "```");
        const string scenario = "(a) durable ingest, 500 per request";
        BenchRow[] rows =
        [
            new(scenario, $"accepted/s, each confirmed by RabbitMQ (p99 {ours.P99:0} ms per request)", ours.AcceptedPerSecond, copy,
                "raw binary COPY", "—", true, "/s"),
            new(scenario, $"stored in PostgreSQL/s during the run; {depth}", stored, copy,
                "raw binary COPY", "≥ 0.5× COPY, sustained (queue at the end ≤ 1 s of load)", stored / copy >= 0.5 && depth.Bounded, "/s"),
        ];
        return (rows, ours);
    }

    /// <summary>
    /// (g)'s calibration: a short saturating run shaped like a fleet — each request carries 500 different sensors of
    /// <paramref name="sensors"/>, so nearly every heartbeat in a commit updates a sensor of its own, unlike (a)'s 10,000
    /// sensors, several heartbeats each per commit. Its stored rate is what the system sustains for that fleet. Its
    /// backlog is the caller's to purge.
    /// </summary>
    public static async Task<double> CalibrateAsync(
        BenchSystem system, QueueMonitor queue, BenchReport report, int sensors, TimeSpan duration, CancellationToken cancellationToken)
    {
        var (ids, key) = await RegisterAsync(system, "calibrate", sensors);
        var run = await SaturateAsync(system, ids, key, "calibration", duration, report, queue, cancellationToken);
        Console.WriteLine($"    calibration: {sensors:#,0} sensors, accepted {run.AcceptedPerSecond:#,0}/s, stored {run.StoredPerSecond:#,0}/s over {duration.TotalSeconds:0} s");
        return run.StoredPerSecond;
    }

    /// <summary>(b) one heartbeat per request, against a Kestrel hello-world driven by the same load tool; with the run, (i)'s baseline.</summary>
    public static async Task<(BenchRow[] Rows, LoadResult Run)> RunSingleAsync(BenchSystem system, BenchReport report, TimeSpan duration, CancellationToken cancellationToken)
    {
        var (ids, key) = await RegisterAsync(system, "ingest-b");
        var connectionString = await system.ConnectionStringAsync("sensorsdb");
        var ours = await LoadTool.RunAsync("single", [
            $"--Load:IngestionUrl={system.Http("ingestion-api")}", $"--Load:CollectorKey={key}", $"--Load:FirstSensorId={ids[0]}",
            $"--Load:Sensors={Sensors}", "--Load:BatchSize=1", "--Load:Concurrency=128", LoadTool.Arg("Duration", duration),
            "--Load:Warmup=00:00:05", $"--Load:DatabaseConnectionString={connectionString}"], report, null, cancellationToken);
        var port = Ports.Free();
        using var hello = ChildProcess.StartDotnet(Tools.Assembly("bench/HelloWorld"), new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
        try
        {
            await WaitListeningAsync(port, cancellationToken);
            var baseline = await LoadTool.RunAsync("hello-world", [
                $"--Load:Url=http://127.0.0.1:{port}/api/heartbeats", $"--Load:Sensors={Sensors}", "--Load:BatchSize=1",
                "--Load:Concurrency=128", LoadTool.Arg("Duration", duration), "--Load:Warmup=00:00:05"], report, null, cancellationToken);
            Console.WriteLine($"(b) {ours.RequestsPerSecond:#,0} requests/s (p99 {ours.P99:0} ms); hello-world {baseline.RequestsPerSecond:#,0}/s (p99 {baseline.P99:0} ms)");
            return (
            [
                new("(b) durable ingest, 1 per request", $"requests/s answered 202 (p99 {ours.P99:0} ms)", ours.RequestsPerSecond, baseline.RequestsPerSecond,
                    "Kestrel hello-world, same load tool", "≥ 0.4× hello-world", ours.RequestsPerSecond / baseline.RequestsPerSecond >= 0.4, "/s"),
            ], ours);
        }
        finally
        {
            await hello.StopAsync();
        }
    }

    static async Task<LoadResult> SaturateAsync(
        BenchSystem system, long[] ids, string key, string name, TimeSpan duration, BenchReport report, QueueMonitor queue, CancellationToken cancellationToken) =>
        await LoadTool.RunAsync(name, [
            $"--Load:IngestionUrl={system.Http("ingestion-api")}", $"--Load:CollectorKey={key}", $"--Load:FirstSensorId={ids[0]}",
            $"--Load:Sensors={ids.Length}", $"--Load:BatchSize={Batch}", "--Load:Concurrency=16", LoadTool.Arg("Duration", duration),
            "--Load:Warmup=00:00:05", $"--Load:DatabaseConnectionString={await system.ConnectionStringAsync("sensorsdb")}",
            // It is not expected to drain (it queues far more than is stored meanwhile): what it leaves is purged.
            "--Load:DrainTimeout=00:00:05"], report, queue, cancellationToken);

    /// <summary>
    /// Consecutive sensors for the load tool, expected hourly and stale after a day, so that they do not all turn late,
    /// then down, in the middle of a later scenario; and a collector key for them.
    /// </summary>
    static async Task<(long[] Ids, string Key)> RegisterAsync(BenchSystem system, string name, int count = Sensors)
    {
        var ids = await system.RegisterSensorsAsync($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)], count, new SensorTimings(3600, 0, 86400));
        if (ids.Length != count || ids[^1] - ids[0] != count - 1)
        {
            throw new InvalidOperationException("The load tool needs consecutive sensor ids.");
        }
        return (ids, await system.CollectorKeyAsync());
    }

    static async Task WaitListeningAsync(int port, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
