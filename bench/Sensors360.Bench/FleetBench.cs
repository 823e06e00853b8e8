using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Sensors360.Measurement;

namespace Sensors360.Bench;

/// <summary>How (g) is sized.</summary>
/// <param name="Sensors">The fleet.</param>
/// <param name="Calibration">The measured part of the saturating run that gives the sustainable rate.</param>
/// <param name="Duration">The measured part.</param>
/// <param name="Probes">Sensors whose end-to-end lag is watched.</param>
/// <param name="LatencySensors">(c)'s sensors when re-measured during (g).</param>
/// <param name="ScanRuns">(d)'s scans when re-measured during (g).</param>
public sealed record FleetScale(int Sensors, TimeSpan Calibration, TimeSpan Duration, int Probes, int LatencySensors, int ScanRuns);

/// <summary>
/// (g) steady fleet: a fleet of sensors, each sending at a fixed interval with its own phase (the load tool's fleet
/// mode), at 80 % of the stored rate the system sustained in a saturating run over as many sensors. What it measures: stored/s vs
/// accepted/s, the end-to-end lag from a heartbeat's sending to its showing in <c>GET /api/sensors/{id}</c>, the
/// heartbeats queue's depth, the fleet's false late/down transitions (none of its sensors ever stops), and (c) and (d)
/// again while it runs.
/// </summary>
public static class FleetBench
{
    public const string Scenario = "(g) steady fleet";

    /// <summary>The share of the sustainable rate the fleet sends.</summary>
    public const double Load = 0.8;

    /// <param name="sustainable">Heartbeats stored per second under saturation, and where that figure comes from.</param>
    /// <param name="staleScanAsOf">The moment (d)'s generated fleet was written, when (d) ran: its scans are timed again during (g).</param>
    public static async Task<BenchRow[]> RunAsync(
        BenchSystem system, NpgsqlDataSource db, QueueMonitor queue, BenchReport report, FleetScale scale,
        (double PerSecond, string Source) sustainable, DateTimeOffset? staleScanAsOf, double? idleScanP50, CancellationToken cancellationToken)
    {
        // The rate: 80 % of what was stored per second; the interval in whole seconds (the registry's unit), rounded up,
        // so the fleet sends at most that.
        var target = Load * sustainable.PerSecond;
        if (!(target > 0))
        {
            Console.WriteLine($"(g) no sustainable rate to start from ({sustainable.Source} stored {sustainable.PerSecond:#,0}/s): not run");
            return [new(Scenario, $"not run: {sustainable.Source} stored nothing", double.NaN, null, "", "—", false, "")];
        }
        var interval = (int)Math.Clamp(Math.Ceiling(scale.Sensors / target), 1, 86_400);
        var rate = scale.Sensors / (double)interval;
        var warmup = TimeSpan.FromSeconds(Math.Min(interval, scale.Duration.TotalSeconds / 5));
        Console.WriteLine(
            $"(g) sustainable {sustainable.PerSecond:#,0} stored/s ({sustainable.Source}); {Load:P0} of it = {target:#,0}/s; "
            + $"{scale.Sensors:#,0} sensors ÷ {target:#,0}/s = {scale.Sensors / target:0.0} s → every {interval} s each (whole seconds, rounded up) "
            + $"= {rate:#,0} heartbeats/s ({rate / sustainable.PerSecond:P0} of sustainable); warm-up {warmup.TotalSeconds:0} s, measured {scale.Duration.TotalMinutes:0} min");

        // A saturating run before this one leaves a backlog the worker would store ahead of the fleet's heartbeats, and
        // the state changes of its new sensors still to relay.
        var dropped = await queue.PurgeAsync(cancellationToken);
        Console.WriteLine($"    purged {dropped:#,0} messages left in the heartbeats queue by earlier scenarios");
        var earlier = await OutboxDrainedAsync(db, TimeSpan.FromMinutes(10), cancellationToken);
        Console.WriteLine($"    outbox: {earlier.First:#,0} events left by earlier scenarios; {earlier.Left:#,0} still there after {earlier.Took.TotalSeconds:0} s");

        var provisionFile = Path.Combine(Path.GetTempPath(), $"sensors360-bench-fleet-{Guid.NewGuid():N}.json");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // The load tool registers the fleet itself (expected interval = the fleet's, grace 5 s, see
            // docs/load-tool.md, "Fleet mode") and keeps the ids in the provision file, where the probes find them.
            var load = LoadTool.RunAsync("fleet", [
                $"--Load:IngestionUrl={system.Http("ingestion-api")}", $"--Load:RegistryUrl={system.Http("monitor-worker")}", $"--ServiceAuth:Key={ServiceKeys.Simulator}",
                $"--Load:ProvisionFile={provisionFile}", "--Load:Fleet=true", $"--Load:Sensors={scale.Sensors}",
                $"--Load:Rate={rate.ToString("R", CultureInfo.InvariantCulture)}", $"--Load:BatchSize={IngestBench.Batch}", "--Load:Concurrency=64",
                LoadTool.Arg("Warmup", warmup), LoadTool.Arg("Duration", scale.Duration), "--Load:ReadyTimeout=00:05:00",
                "--Load:DrainTimeout=00:01:00", $"--Load:DatabaseConnectionString={await system.ConnectionStringAsync("sensorsdb")}"],
                report, queue, cancellationToken);

            var ids = await ReadProvisionedAsync(provisionFile, load, cancellationToken);
            // The load tool starts its warm-up right after writing the provision file (and a ready check).
            var steadyFrom = DateTimeOffset.UtcNow + warmup + TimeSpan.FromSeconds(10);
            Console.WriteLine($"    {ids.Length:#,0} fleet sensors registered; probing {scale.Probes} of them");
            var probes = new LagProbes(system, [.. Enumerable.Range(0, scale.Probes).Select(i => ids[(int)((long)i * ids.Length / scale.Probes)])],
                TimeSpan.FromSeconds(interval));
            var probing = probes.RunAsync(stop.Token);

            // (c) and (d) again, once the fleet is running (every probe has shown a heartbeat: about an interval in) and
            // its sensors' first state changes (new → up, one per sensor) are relayed: steady state.
            var underLoad = new List<BenchRow>();
            BenchRow? firstFlips = null;
            var besideStarted = DateTimeOffset.MaxValue;
            var besideEnded = DateTimeOffset.MinValue;
            if (await Task.WhenAny(probes.AllSeen, load) == probes.AllSeen)
            {
                var flips = await OutboxDrainedAsync(db, scale.Duration / 2, cancellationToken);
                Console.WriteLine($"    the fleet's first state changes: {flips.First:#,0} events waiting once every probe was seen; {flips.Left:#,0} after {flips.Took.TotalSeconds:0} s");
                firstFlips = new($"{Scenario}, its sensors' first state changes (new → up)",
                    $"time to relay the {flips.First:#,0} events waiting once every probe was seen" + (flips.Left > 0 ? $" (**{flips.Left:#,0} still waiting** then)" : ""),
                    flips.Took.TotalSeconds, null, "", "—", true, "s") { LowerIsBetter = true };
                // Under the steady load, as the scenario says: not while the fleet is still warming up (with a million
                // sensors every probe is seen, and the first state changes relayed, well before the warm-up ends).
                if (steadyFrom - DateTimeOffset.UtcNow is { Ticks: > 0 } wait)
                {
                    Console.WriteLine($"    (c), (d) during (g) wait {wait.TotalSeconds:0} s for the end of the warm-up");
                    await Task.Delay(wait, cancellationToken);
                }
                besideStarted = DateTimeOffset.UtcNow;
                underLoad.AddRange(await TransitionLatencyBench.RunAsync(system, scale.LatencySensors, cancellationToken, $"{TransitionLatencyBench.Scenario}, during (g)"));
                if (staleScanAsOf is { } asOf)
                {
                    var scans = await StaleScanBench.UnderLoadAsync(db, asOf, scale.ScanRuns, TimeSpan.FromSeconds(1), cancellationToken);
                    Console.WriteLine($"(d) during (g): {scans.Count} scans, p50 / p90 / p99 / p99.9 / max {scans.Percentiles()} ms"
                        + (idleScanP50 is { } idle ? $" (idle p50 {idle:0.0} ms)" : ""));
                    underLoad.Add(new("(d) stale scan, during (g)", $"p50 of {scans.Count} scans, 1 s apart" + (idleScanP50 is { } i ? $" (idle: {i:0.0} ms)" : ""),
                        scans.P50, null, "", "≤ 100 ms", scans.P50 <= 100, "ms") { LowerIsBetter = true });
                }
                else
                {
                    Console.WriteLine("(d) during (g): skipped, (d) was not run (its generated fleet is what the scans read)");
                }
                besideEnded = DateTimeOffset.UtcNow;
            }

            var result = await load;
            await stop.CancelAsync();
            await probing;
            return [.. await SummarizeAsync(db, result, ids, probes, interval, rate, sustainable), .. firstFlips is null ? [] : new[] { firstFlips },
                .. Beside(underLoad, besideStarted, besideEnded, result)];
        }
        finally
        {
            await stop.CancelAsync();
            File.Delete(provisionFile);
        }
    }

    static async Task<BenchRow[]> SummarizeAsync(
        NpgsqlDataSource db, LoadResult result, long[] ids, LagProbes probes, int interval, double rate, (double PerSecond, string Source) sustainable)
    {
        var (from, to) = (result.MeasuredFrom, result.MeasuredTo);
        var loadStarted = result.Report.GetProperty("loadStartedAt").GetDateTimeOffset();
        // Heartbeats sent during the measured part: those shown, with their lag; and those never shown before the probes
        // stopped (after the load tool's drain), counted with their age then — a lower bound, but leaving them out
        // would make a growing backlog look fast.
        var lag = Latency.NewHistogram();
        var lags = probes.Lags.Where(l => l.SentAt >= from && l.SentAt <= to).ToList();
        var unseen = probes.Unseen(to).Where(l => l.SentAt >= from).ToList();
        foreach (var (_, value) in lags.Concat(unseen))
        {
            lag.Record(value);
        }
        var lagSummary = lag.Summarize();
        var lagCount = lags.Count + unseen.Count;
        var unseenNote = unseen.Count == 0 ? "" : $", {unseen.Count} never shown: counted at their age when probing stopped, a lower bound";

        await using var transitions = db.CreateCommand("""
            SELECT count(*) FROM sensor_state_changes
            WHERE sensor_id = ANY($1) AND to_state IN ('late', 'down') AND at BETWEEN $2 AND $3
            """);
        transitions.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        transitions.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = loadStarted });
        transitions.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to });
        var falseTransitions = (long)(await transitions.ExecuteScalarAsync())!;

        var depth = result.QueueDepth;
        var stored = result.StoredPerSecond;
        var accepted = result.AcceptedPerSecond;
        var skipped = result.Report.GetProperty("skippedHeartbeats").GetInt64();
        var sendDelay = result.Report.GetProperty("maxSendDelayMs").GetDouble();
        Console.WriteLine($"(g) accepted {accepted:#,0}/s (target {rate:#,0}/s), stored {stored:#,0}/s; request latency p99 {result.P99:0} ms from the schedule, "
            + $"latest send {sendDelay:0} ms behind it; lag p50 / p90 / p99 / p99.9 / max {lagSummary.Percentiles()} ms ({lagCount} probe heartbeats{unseenNote}); "
            + $"{falseTransitions} late/down transitions of fleet sensors; {depth}");

        var scenario = $"{Scenario}, {ids.Length:#,0} sensors every {interval} s ({rate:#,0}/s = {rate / sustainable.PerSecond:P0} of {sustainable.PerSecond:#,0}/s stored in {sustainable.Source})";
        return
        [
            new(scenario, "stored in PostgreSQL/s during the run", stored, accepted, "accepted/s, same run", "—", true, "/s"),
            new(scenario, $"end-to-end lag p50 (sent → shown by GET /api/sensors/{{id}}; {lagCount} heartbeats of {probes.Count} probe sensors{unseenNote})",
                lagSummary.P50, null, "", "—", lagCount > 0, "ms"),
            new(scenario, "end-to-end lag p99", lagSummary.P99, null, "", "≤ 2,000 ms", lagCount > 0 && unseen.Count == 0 && lagSummary.P99 <= 2_000, "ms"),
            new(scenario, $"late/down transitions of sensors that never stopped ({skipped} heartbeats skipped; latest send {sendDelay:0} ms behind schedule)",
                falseTransitions, null, "", "0", falseTransitions == 0 && skipped == 0, ""),
            new(scenario, $"heartbeats queue at the end, messages (max {depth.Max:#,0})", depth.Final, depth.LoadMessagesPerSecond,
                "1 s of load, messages", "≤ 1 s of load", depth.Bounded, ""),
        ];
    }

    /// <summary>
    /// Waits until <c>outbox_messages</c> is empty (every state change relayed to RabbitMQ), polling every second, at
    /// most <paramref name="deadline"/>.
    /// </summary>
    /// <returns>The events there at first, those still there at the end, and how long it waited.</returns>
    static async Task<(long First, long Left, TimeSpan Took)> OutboxDrainedAsync(NpgsqlDataSource db, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long? first = null;
        while (true)
        {
            await using var count = db.CreateCommand("SELECT count(*) FROM outbox_messages");
            var left = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            first ??= left;
            if (left == 0 || watch.Elapsed >= deadline)
            {
                return (first.Value, left, watch.Elapsed);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>(c) and (d)'s rows, marked unmet if they did not run entirely inside the measured part.</summary>
    static IEnumerable<BenchRow> Beside(List<BenchRow> rows, DateTimeOffset started, DateTimeOffset ended, LoadResult load)
    {
        var inside = started >= load.MeasuredFrom && ended <= load.MeasuredTo;
        if (!inside && rows.Count > 0)
        {
            Console.WriteLine($"    (c), (d) during (g) ran {started:HH:mm:ss}–{ended:HH:mm:ss}, not inside the measured part {load.MeasuredFrom:HH:mm:ss}–{load.MeasuredTo:HH:mm:ss}");
        }
        return rows.Select(r => inside ? r : r with { Metric = r.Metric + " (**not** inside the fleet's measured part)", Met = false });
    }

    /// <summary>Waits for the load tool to write its provision file (after registering the fleet), and reads the ids.</summary>
    static async Task<long[]> ReadProvisionedAsync(string path, Task load, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (File.Exists(path))
            {
                try
                {
                    using var file = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellationToken));
                    return [.. file.RootElement.GetProperty("sensorIds").EnumerateArray().Select(e => e.GetInt64())];
                }
                catch (JsonException)
                {
                    // still being written
                }
            }
            if (load.IsCompleted)
            {
                await load;
                throw new InvalidOperationException("The load tool ended without registering the fleet.");
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>
    /// Watches a few of the fleet's sensors through <c>GET /api/sensors/{id}</c> on Monitor.Worker. A probe knows when
    /// its sensor's next heartbeat is sent (one interval after the last one it saw: the fleet's timestamps are its
    /// schedule), polls every 100 ms from then until <c>lastHeartbeatAt</c> reaches it, and records the lag from the
    /// heartbeat's timestamp (its send time) to the answer that showed it — at most 100 ms plus one GET late. Between
    /// heartbeats it does not poll, so 20 probes cost a few GETs a second, not 200.
    /// </summary>
    sealed class LagProbes(BenchSystem system, long[] sensors, TimeSpan interval)
    {
        static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
        readonly ConcurrentQueue<(DateTimeOffset SentAt, TimeSpan Lag)> _lags = new();
        readonly TaskCompletionSource _allSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly ConcurrentDictionary<long, DateTimeOffset> _last = new();
        DateTimeOffset _stoppedAt = DateTimeOffset.MaxValue;
        int _seen;

        public int Count => sensors.Length;

        /// <summary>Completes when every probe has shown a heartbeat.</summary>
        public Task AllSeen => _allSeen.Task;

        /// <summary>Each heartbeat seen after the first: its send time, and how long after it it showed.</summary>
        public IReadOnlyList<(DateTimeOffset SentAt, TimeSpan Lag)> Lags => [.. _lags];

        /// <summary>
        /// The heartbeats each probe sensor sent up to <paramref name="until"/> that had not shown when probing stopped,
        /// with their age then.
        /// </summary>
        public IEnumerable<(DateTimeOffset SentAt, TimeSpan Lag)> Unseen(DateTimeOffset until)
        {
            foreach (var last in _last.Values)
            {
                for (var sent = last + interval; sent <= until; sent += interval)
                {
                    yield return (sent, _stoppedAt - sent);
                }
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            using var worker = system.Worker();
            try
            {
                await Task.WhenAll(sensors.Select(id => ProbeAsync(worker, id, cancellationToken)));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            _stoppedAt = DateTimeOffset.UtcNow;
        }

        async Task ProbeAsync(HttpClient worker, long id, CancellationToken cancellationToken)
        {
            DateTimeOffset? last = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (last is { } seen)
                {
                    var next = seen + interval;
                    if (next > DateTimeOffset.UtcNow)
                    {
                        await Task.Delay(next - DateTimeOffset.UtcNow, cancellationToken);
                    }
                }
                var shown = await LastHeartbeatAsync(worker, id, cancellationToken);
                var at = DateTimeOffset.UtcNow;
                if (shown is null || shown <= last)
                {
                    await Task.Delay(last is null ? TimeSpan.FromSeconds(1) : Poll, cancellationToken);
                    continue;
                }
                if (last is { } previous)
                {
                    // Every heartbeat up to the one shown is visible now (lastHeartbeatAt ≥ its time).
                    for (var sent = previous + interval; sent <= shown.Value + TimeSpan.FromMilliseconds(1); sent += interval)
                    {
                        _lags.Enqueue((sent, at - sent));
                    }
                }
                else if (Interlocked.Increment(ref _seen) == sensors.Length)
                {
                    _allSeen.TrySetResult();
                }
                last = shown;
                _last[id] = shown.Value;
            }
        }

        /// <returns>The sensor's last heartbeat time; null when it has none yet or the worker did not answer (tried again).</returns>
        static async Task<DateTimeOffset?> LastHeartbeatAsync(HttpClient worker, long id, CancellationToken cancellationToken)
        {
            try
            {
                using var response = await worker.GetAsync($"/api/sensors/{id}?heartbeats=0&flips=0", cancellationToken);
                response.EnsureSuccessStatusCode();
                using var sensor = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
                return sensor.RootElement.GetProperty("lastHeartbeatAt") is { ValueKind: JsonValueKind.String } value ? value.GetDateTimeOffset() : null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }
}
