namespace Sensors360.Bench;

/// <summary>(e) Many WebSocket clients on one gateway: how long each snapshot takes to reach all of them; gateway RSS.</summary>
public static class FanOutBench
{
    public const double TargetMs = 500;
    public const string Target = "≤ 500 ms";
    public const double RssTargetMb = 1536;
    public const string RssTarget = "≤ 1,536 MB";

    /// <returns>The rows, and what (h) compares itself with.</returns>
    public static async Task<OneGateway> RunAsync(BenchSystem system, BenchReport report, int clients, int snapshots, CancellationToken cancellationToken)
    {
        var token = await system.AdminTokenAsync();
        // Straight to the gateway's own port: the orchestrator's proxy would double every connection.
        await using var connected = await FanOutClients.ConnectAsync([system.Direct("realtime-gateway")], token, clients, cancellationToken);
        Console.WriteLine($"(e) {connected.Count} clients connected");
        await using var profile = CpuProfile.Start();
        var fanOut = await connected.MeasureAsync(snapshots, cancellationToken);
        var cpu = CpuProfile.Format(await profile.StopAsync());
        var rss = system.ResidentBytes("realtime-gateway", "Realtime.Gateway") / 1024.0 / 1024.0;
        Console.WriteLine($"(e) {fanOut.Snapshots} snapshots reached all {clients} clients ({connected.Lost} clients closed by the gateway); "
            + $"delivery p50 {fanOut.P50:0.0} ms, p99 {fanOut.P99:0.0} ms over {fanOut.Deliveries} deliveries, slowest to all {fanOut.SlowestToAll:0.0} ms; gateway RSS {rss:0} MB; CPU: {cpu}");
        report.Profiles.Add($"(e) fan-out to {clients:#,0} clients on one gateway: {cpu}");
        var scenario = $"(e) snapshot fan-out to {clients:#,0} clients";
        return new OneGateway(
        [
            new(scenario, $"delivery p99 ({fanOut.Snapshots} snapshots)", fanOut.P99, null, "", Target, fanOut.Snapshots >= snapshots && fanOut.P99 <= TargetMs, "ms"),
            new(scenario, "gateway RSS", rss, null, "", RssTarget, rss <= RssTargetMb, "MB"),
        ], fanOut, rss);
    }
}

/// <summary>(e)'s outcome: its rows, and its figures as the baseline of (h).</summary>
public sealed record OneGateway(BenchRow[] Rows, FanOut FanOut, double RssMb);
