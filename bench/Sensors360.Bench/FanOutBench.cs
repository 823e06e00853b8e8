using System.Collections.Concurrent;
using Sensors360.Measurement;

namespace Sensors360.Bench;

/// <summary>(e) Many WebSocket clients on one gateway: how long each snapshot takes to reach all of them; gateway RSS.</summary>
public static class FanOutBench
{
    public static async Task<BenchRow[]> RunAsync(BenchSystem system, int clients, int snapshots, CancellationToken cancellationToken)
    {
        var token = await system.AdminTokenAsync();
        // Straight to the gateway's own port: the orchestrator's proxy would double every connection.
        var gateway = system.Direct("realtime-gateway");
        var deliveries = new ConcurrentDictionary<DateTimeOffset, ConcurrentBag<double>>();
        var measuring = false;
        var connected = new List<LiveClient>(clients);
        try
        {
            using var gate = new SemaphoreSlim(64);
            var connecting = Enumerable.Range(0, clients).Select(async _ =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    return await LiveClient.ConnectAsync(gateway, token, (type, data, arrived) =>
                    {
                        if (type == "snapshot" && Volatile.Read(ref measuring))
                        {
                            var at = data.GetProperty("at").GetDateTimeOffset();
                            deliveries.GetOrAdd(at, _ => []).Add((arrived - at).TotalMilliseconds);
                        }
                    }, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            foreach (var task in connecting)
            {
                connected.Add(await task);
            }
            Console.WriteLine($"(e) {connected.Count} clients connected");
            Volatile.Write(ref measuring, true);
            // Snapshots come every 5 s; the first counted one starts after every client is connected.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5 * (snapshots + 2));
            while (deliveries.Count(d => d.Value.Count >= clients) < snapshots && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken);
            }
            var rss = system.ResidentBytes("realtime-gateway", "Realtime.Gateway") / 1024.0 / 1024.0;
            var complete = deliveries.Values.Where(d => d.Count >= clients).ToList();
            var all = complete.SelectMany(d => d).ToList();
            var p99 = Latency.Of(all).P99;
            var toAll = complete.Select(d => d.Max()).DefaultIfEmpty(double.NaN).Max();
            var lost = connected.Count(c => c.Lost);
            Console.WriteLine($"(e) {complete.Count} snapshots reached all {clients} clients ({lost} clients closed by the gateway); delivery p99 {p99:0.0} ms, slowest to all {toAll:0.0} ms; gateway RSS {rss:0} MB");
            return
            [
                new($"(e) snapshot fan-out to {clients:#,0} clients", $"delivery p99 ({complete.Count} snapshots)", p99, null, "", "≤ 500 ms", complete.Count >= snapshots && p99 <= 500, "ms"),
                new($"(e) snapshot fan-out to {clients:#,0} clients", "gateway RSS", rss, null, "", "≤ 1,536 MB", rss <= 1536, "MB"),
            ];
        }
        finally
        {
            foreach (var client in connected)
            {
                await client.DisposeAsync();
            }
        }
    }
}
