using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Sensors360.Measurement;

namespace Sensors360.Bench;

/// <summary>(c) A heartbeat of a new sensor → its new→up <c>stateChanged</c> on a WebSocket client.</summary>
public static class TransitionLatencyBench
{
    public const string Scenario = "(c) heartbeat → stateChanged on /ws";

    /// <param name="scenario">The rows' name: (c) on its own, or while (g)'s fleet runs.</param>
    public static async Task<BenchRow[]> RunAsync(BenchSystem system, int sensors, CancellationToken cancellationToken, string scenario = Scenario)
    {
        var ids = await system.RegisterSensorsAsync($"latency-{Guid.NewGuid():N}"[..20], sensors);
        var key = await system.CollectorKeyAsync();
        var sent = new ConcurrentDictionary<long, long>();
        var latencies = new ConcurrentBag<double>();
        var seen = new TaskCompletionSource();
        await using var client = await LiveClient.ConnectAsync(system.Http("realtime-gateway"), await system.AdminTokenAsync(), (type, data, _) =>
        {
            if (type == "stateChanged" && data.GetProperty("to").GetString() == "up"
                && sent.TryGetValue(data.GetProperty("sensorId").GetInt64(), out var at))
            {
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                if (latencies.Count == ids.Length)
                {
                    seen.TrySetResult();
                }
            }
        }, cancellationToken);

        using var ingestion = new HttpClient { BaseAddress = system.Http("ingestion-api") };
        ingestion.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        // 50 heartbeats a second: latency under a steady trickle, not under saturation (that is (a) and (b)).
        foreach (var id in ids)
        {
            sent[id] = Stopwatch.GetTimestamp();
            using var response = await ingestion.PostAsJsonAsync("/api/heartbeats",
                new { sensorId = id, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, cancellationToken);
            response.EnsureSuccessStatusCode();
            await Task.Delay(20, cancellationToken);
        }
        await Task.WhenAny(seen.Task, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));

        var values = latencies.ToList();
        var summary = Latency.Of(values);
        var (p50, p99) = values.Count == 0 ? (double.NaN, double.NaN) : (summary.P50, summary.P99);
        var complete = values.Count == ids.Length;
        Console.WriteLine($"{scenario}: {values.Count}/{ids.Length} transitions received within 30 s"
            + (values.Count > 0 ? $"; p50 / p90 / p99 / p99.9 / max {summary.Percentiles()} ms" : ""));
        return
        [
            new(scenario, $"p50 ({values.Count}/{ids.Length} seen)", p50, null, "", "—", complete, "ms"),
            new(scenario, "p99", p99, null, "", "≤ 1000 ms", complete && p99 <= 1000, "ms"),
        ];
    }
}
