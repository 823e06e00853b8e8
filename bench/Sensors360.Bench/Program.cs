using System.Globalization;
using Npgsql;
using Sensors360.AppHost;
using Sensors360.Bench;

// Usage: Sensors360.Bench [--quick] [--only a,b,c,d,e,f,g,h,i,j,k]
// Starts the whole system once (local PostgreSQL and RabbitMQ), runs each scenario against it and its baseline in
// the same run, then (h) on the ha topology started afterwards; prints one table and writes artifacts/bench/results.md
// and results.json. See docs/benchmarks.md.
var quick = args.Contains("--quick");
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',') ?? ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
var scale = quick
    ? new Scale(CopySeconds: 15, IngestSeconds: 15, LatencySensors: 200, FanOutClients: 1_000, Snapshots: 3, FleetSensors: 100_000, HeartbeatsPerSensor: 100, ScanRuns: 20, OriginalRuns: 3, ScoringSensors: 100_000,
        Steady: new FleetScale(Sensors: 100_000, Calibration: TimeSpan.FromSeconds(20), Duration: TimeSpan.FromMinutes(5), Probes: 20, LatencySensors: 200, ScanRuns: 20))
    : new Scale(CopySeconds: 20, IngestSeconds: 60, LatencySensors: 1_000, FanOutClients: 10_000, Snapshots: 5, FleetSensors: 1_000_000, HeartbeatsPerSensor: 100, ScanRuns: 50, OriginalRuns: 3, ScoringSensors: 1_000_000,
        Steady: new FleetScale(Sensors: 1_000_000, Calibration: TimeSpan.FromSeconds(60), Duration: TimeSpan.FromMinutes(30), Probes: 20, LatencySensors: 1_000, ScanRuns: 50));

var machine = $"{Environment.ProcessorCount} cores, {MachineMemoryGiB():0.0} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
Console.WriteLine($"Sensors 360 benchmarks ({(quick ? "quick" : "full")}) on {machine}");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var report = new BenchReport();
var rows = report.Rows;
OneGateway? oneGateway = null;
await using (var system = await BenchSystem.StartAsync(TopologyMode.Single, cancel.Token))
{
    Console.WriteLine("System healthy.");
    await using var db = NpgsqlDataSource.Create(await system.ConnectionStringAsync("sensorsdb"));
    await using var queue = await QueueMonitor.ConnectAsync(system, cancel.Token);
    // The COPY baseline first, on the idle database, before any load has left a backlog or grown an index.
    var copy = double.NaN;
    if (only.Contains("a"))
    {
        await using var profile = CpuProfile.Start();
        copy = await CopyBaseline.RowsPerSecondAsync(db, 10_000, TimeSpan.FromSeconds(scale.CopySeconds), cancel.Token);
        var shares = CpuProfile.Format(await profile.StopAsync());
        Console.WriteLine($"COPY baseline: {copy:#,0} rows/s into an empty partition of heartbeats ({scale.CopySeconds} s; CPU: {shares})");
        report.Profiles.Add($"COPY baseline: {shares}");
    }
    if (only.Contains("c"))
    {
        rows.AddRange(await TransitionLatencyBench.RunAsync(system, scale.LatencySensors, cancel.Token));
    }
    // Before the other fleets are written, so that its pass scores its own sensors only (it retires them afterwards).
    if (only.Contains("k"))
    {
        rows.AddRange(await ScoringBench.RunAsync(system, db, scale.ScoringSensors, cancel.Token));
    }
    // (b) and (a) are also (i)'s baselines.
    LoadResult? single = null;
    if (only.Contains("b") || only.Contains("i"))
    {
        (var singleRows, single) = await IngestBench.RunSingleAsync(system, report, TimeSpan.FromSeconds(scale.IngestSeconds), cancel.Token);
        if (only.Contains("b"))
        {
            rows.AddRange(singleRows);
        }
    }
    // (e) is also (h)'s baseline.
    if (only.Contains("e") || only.Contains("h"))
    {
        oneGateway = await FanOutBench.RunAsync(system, report, scale.FanOutClients, scale.Snapshots, cancel.Token);
        if (only.Contains("e"))
        {
            rows.AddRange(oneGateway.Rows);
        }
    }
    DateTimeOffset? staleScanAsOf = null;
    double? idleScanP50 = null;
    if (only.Contains("d") || only.Contains("f"))
    {
        Console.WriteLine($"(d, f) writing a fleet of {scale.FleetSensors:#,0} sensors × {scale.HeartbeatsPerSensor} heartbeats");
        var fleet = await FleetGenerator.GenerateAsync(db, scale.FleetSensors, scale.HeartbeatsPerSensor, cancel.Token);
        if (only.Contains("d"))
        {
            var scan = await StaleScanBench.RunAsync(db, fleet.AsOf, scale.FleetSensors, scale.HeartbeatsPerSensor, scale.ScanRuns, scale.OriginalRuns, cancel.Token);
            rows.AddRange(scan);
            (staleScanAsOf, idleScanP50) = (fleet.AsOf, scan[0].Ours);
        }
        if (only.Contains("f"))
        {
            rows.AddRange(await WorkerMemoryBench.RunAsync(system, db, scale.FleetSensors, cancel.Token));
        }
    }
    // Saturating the API queues far more than the worker stores meanwhile: after the others, which a backlog would skew.
    LoadResult? batched = null;
    if (only.Contains("a") || only.Contains("i"))
    {
        (var batchedRows, batched) = await IngestBench.RunBatchedAsync(system, db, queue, report, TimeSpan.FromSeconds(scale.IngestSeconds), copy, cancel.Token);
        if (only.Contains("a"))
        {
            rows.AddRange(batchedRows);
        }
    }
    // After (a), whose backlog it purges first, so that the worker stores only (i)'s heartbeats meanwhile.
    if (only.Contains("i"))
    {
        rows.AddRange(await MqttIngestBench.RunAsync(system, db, queue, report, TimeSpan.FromSeconds(scale.IngestSeconds), single!, batched!, cancel.Token));
    }
    if (only.Contains("j"))
    {
        rows.AddRange(await ExportBench.RunAsync(system, db, 1_000_000, cancel.Token));
    }
    // Last: 80 % of what a saturating run shaped like the fleet stored per second, after that run's backlog is purged.
    // Its fleet goes late, then down, once it stops sending: nothing may run after it.
    if (only.Contains("g"))
    {
        Console.WriteLine($"(g) calibration: a saturating run over {scale.Steady.Sensors:#,0} sensors gives the rate the system sustains for such a fleet");
        var sustainable = await IngestBench.CalibrateAsync(system, queue, report, scale.Steady.Sensors, scale.Steady.Calibration, cancel.Token);
        rows.AddRange(await FleetBench.RunAsync(system, db, queue, report, scale.Steady, (sustainable, "a saturating run over as many sensors"), staleScanAsOf, idleScanP50, cancel.Token));
    }
}

// (h) needs the ha topology: a second system, started once the first has stopped, so that neither shares the cores.
if (only.Contains("h"))
{
    await using var ha = await BenchSystem.StartAsync(TopologyMode.Ha, cancel.Token);
    Console.WriteLine("ha system healthy (every replica).");
    rows.AddRange(await FanOutAcrossGatewaysBench.RunAsync(ha, report, scale.FanOutClients, scale.Snapshots, oneGateway!, cancel.Token));
}

var header = $"Sensors 360 benchmarks — {(quick ? "quick" : "full")} run, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {machine}";
var markdown = Table.Markdown(rows, header);
if (report.Profiles.Count > 0)
{
    markdown += Environment.NewLine + "CPU by component (share of all cores, whole load run incl. warm-up and drain):" + Environment.NewLine
        + string.Concat(report.Profiles.Select(p => $"- {p}{Environment.NewLine}"));
}
Console.WriteLine();
Console.WriteLine(markdown);
var output = Path.Combine(Environment.GetEnvironmentVariable("SENSORS360_BENCH_OUTPUT") ?? Path.Combine("artifacts", "bench"));
Directory.CreateDirectory(output);
await File.WriteAllTextAsync(Path.Combine(output, "results.md"), markdown);
await File.WriteAllTextAsync(Path.Combine(output, "results.json"), System.Text.Json.JsonSerializer.Serialize(
    new { quick, machine, at = DateTimeOffset.UtcNow, rows, series = report.Series },
    new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A figure that could not be measured (e.g. no transition seen) is NaN: written as "NaN", not a crash.
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    }));
Console.WriteLine($"Written to {Path.GetFullPath(output)}/results.md and results.json");
return rows.All(r => r.Met) ? 0 : 3;

static double MachineMemoryGiB() =>
    long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;

sealed record Scale(
    int CopySeconds, int IngestSeconds, int LatencySensors, int FanOutClients, int Snapshots, int FleetSensors, int HeartbeatsPerSensor, int ScanRuns, int OriginalRuns,
    int ScoringSensors, FleetScale Steady);
