using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Sensors360.Bench;

/// <summary>
/// (a) durable ingest with 500 heartbeats per request, against a raw binary COPY of the same kind of rows into an
/// empty partition of the same table (<see cref="CopyBaseline"/>, taken first); (b) one heartbeat per request, against a Kestrel hello-world answering 202 to the same requests. Both use
/// the simulator's load mode; "durable" means answered 202 after RabbitMQ confirmed, and the persisted rate is
/// counted in PostgreSQL.
/// </summary>
public static class IngestBench
{
    /// <summary>Where the CPU went in each load run (printed under the table).</summary>
    public static List<string> Profiles { get; } = [];

    /// <param name="copy">The COPY baseline (rows/s), measured at the start of the run on the idle database.</param>
    public static async Task<BenchRow[]> RunAsync(
        BenchSystem system, NpgsqlDataSource db, TimeSpan duration, bool batched, bool single, double copy, CancellationToken cancellationToken)
    {
        const int sensors = 10_000;
        var ids = await system.RegisterSensorsAsync($"ingest-{Guid.NewGuid():N}"[..18], sensors);
        if (ids.Length != sensors || ids[^1] - ids[0] != sensors - 1)
        {
            throw new InvalidOperationException("The load tool needs consecutive sensor ids.");
        }
        var key = await system.CollectorKeyAsync();
        var connectionString = await system.ConnectionStringAsync("sensorsdb");
        var rows = new List<BenchRow>();

        if (batched)
        {
            var ours = await LoadAsync(system, "batched", [
                $"--Load:IngestionUrl={system.Http("ingestion-api")}", $"--Load:CollectorKey={key}", $"--Load:FirstSensorId={ids[0]}",
                $"--Load:Sensors={sensors}", "--Load:BatchSize=500", "--Load:Concurrency=16", $"--Load:Duration={duration:c}",
                "--Load:Warmup=00:00:05", $"--Load:DatabaseConnectionString={connectionString}"], cancellationToken);
            var persisted = ours.GetProperty("persisted").GetProperty("perSecond").GetDouble();
            Console.WriteLine($"(a) accepted {Accepted(ours):#,0}/s, persisted {persisted:#,0}/s; raw COPY (idle, measured first) {copy:#,0} rows/s");
            var plan = await MergeExplain.ExplainAsync(db, ids, 1000, cancellationToken);
            Console.WriteLine("    The consumer's merge of 1,000 heartbeats, explained:");
            Console.WriteLine(plan);
            Profiles.Add("merge of 1,000 heartbeats (EXPLAIN ANALYZE, after the batched run):" + Environment.NewLine + "```" + Environment.NewLine + plan + "```");
            var accepted = Accepted(ours);
            rows.Add(new("(a) durable ingest, 500 per request", $"accepted/s, each confirmed by RabbitMQ (p99 {P99(ours):0} ms per request)", accepted, copy,
                "raw binary COPY", "≥ 150,000/s and ≥ 0.5× COPY", accepted >= 150_000 && accepted / copy >= 0.5, "/s"));
            rows.Add(new("(a) durable ingest, 500 per request", "stored in PostgreSQL/s during the run", persisted, copy,
                "raw binary COPY", "≥ 150,000/s and ≥ 0.5× COPY", persisted >= 150_000 && persisted / copy >= 0.5, "/s"));
        }

        if (single)
        {
            var ours = await LoadAsync(system, "single", [
                $"--Load:IngestionUrl={system.Http("ingestion-api")}", $"--Load:CollectorKey={key}", $"--Load:FirstSensorId={ids[0]}",
                $"--Load:Sensors={sensors}", "--Load:BatchSize=1", "--Load:Concurrency=128", $"--Load:Duration={duration:c}",
                "--Load:Warmup=00:00:05", $"--Load:DatabaseConnectionString={connectionString}"], cancellationToken);
            var port = Tools.FreePort();
            using var hello = Tools.Start(Tools.Assembly("bench/HelloWorld"), new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
            try
            {
                await WaitListeningAsync(port, cancellationToken);
                var baseline = await LoadAsync(system, "hello-world", [
                    $"--Load:Url=http://127.0.0.1:{port}/api/heartbeats", $"--Load:Sensors={sensors}", "--Load:BatchSize=1",
                    "--Load:Concurrency=128", $"--Load:Duration={duration:c}", "--Load:Warmup=00:00:05"], cancellationToken);
                var oursRps = ours.GetProperty("requestsPerSecond").GetDouble();
                var helloRps = baseline.GetProperty("requestsPerSecond").GetDouble();
                Console.WriteLine($"(b) {oursRps:#,0} requests/s (p99 {P99(ours):0} ms); hello-world {helloRps:#,0}/s (p99 {P99(baseline):0} ms)");
                rows.Add(new("(b) durable ingest, 1 per request", $"requests/s answered 202 (p99 {P99(ours):0} ms)", oursRps, helloRps,
                    "Kestrel hello-world", "≥ 30,000/s and ≥ 0.4× hello-world", oursRps >= 30_000 && oursRps / helloRps >= 0.4, "/s"));
            }
            finally
            {
                hello.Kill(entireProcessTree: true);
                await hello.WaitForExitAsync(cancellationToken);
            }
        }
        return [.. rows];
    }

    static double Accepted(JsonElement report) => report.GetProperty("acceptedPerSecond").GetDouble();

    static double P99(JsonElement report) => report.GetProperty("latencyMs").GetProperty("p99").GetDouble();

    static async Task<JsonElement> LoadAsync(BenchSystem system, string name, string[] arguments, CancellationToken cancellationToken)
    {
        var output = Path.Combine(Path.GetTempPath(), $"sensors360-bench-{name}-{Guid.NewGuid():N}.json");
        try
        {
            Console.WriteLine($"    load: {name}");
            await using var profile = CpuProfile.Start();
            var exit = await Tools.RunAsync(Tools.Assembly("Sensors360.Simulator"), ["load", .. arguments, $"--Load:JsonOutput={output}"], cancellationToken);
            var shares = await profile.StopAsync();
            Console.WriteLine($"    CPU during {name}: {CpuProfile.Format(shares)}");
            Profiles.Add($"{name}: {CpuProfile.Format(shares)}");
            if (exit != 0 || !File.Exists(output))
            {
                throw new InvalidOperationException($"The load tool failed ({name}, exit {exit}).");
            }
            return JsonDocument.Parse(await File.ReadAllTextAsync(output, cancellationToken)).RootElement.Clone();
        }
        finally
        {
            File.Delete(output);
        }
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
