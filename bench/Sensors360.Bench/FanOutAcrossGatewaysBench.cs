namespace Sensors360.Bench;

/// <summary>
/// (h) (e)'s fan-out over the gateway replicas of the ha topology, the clients dealt in turn over the replicas' own
/// ports. Per replica: the clients it carried (from their hello frames) and its RSS, next to the one gateway of (e).
/// </summary>
/// <remarks>
/// Not through the gateway's one address: the orchestrator's proxy holds two sockets per client, and 10,000 clients
/// took it to the machine's open-files limit (20,000; DCP logged "accept4: too many open files" and connections were
/// reset). (e) connects to its gateway's own port too, so both measure the gateways alone.
/// </remarks>
public static class FanOutAcrossGatewaysBench
{
    public static async Task<BenchRow[]> RunAsync(
        BenchSystem system, BenchReport report, int clients, int snapshots, OneGateway baseline, CancellationToken cancellationToken)
    {
        var gateways = system.Instances("realtime-gateway").Select(instance => (Instance: instance, Pid: system.ProcessId(instance, "Realtime.Gateway"))).ToList();
        var token = await system.AdminTokenAsync();
        await using var connected = await FanOutClients.ConnectAsync([.. gateways.Select(g => system.Direct(g.Instance))], token, clients, cancellationToken);
        Console.WriteLine($"(h) {connected.Count} clients connected, in turn, to the own ports of {gateways.Count} gateway replicas");
        await using var profile = CpuProfile.Start();
        var fanOut = await connected.MeasureAsync(snapshots, cancellationToken);
        var cpu = CpuProfile.Format(await profile.StopAsync());
        var carried = connected.ClientsPerGatewayPid();
        var spread = gateways.Select(g => (g.Instance, g.Pid, Clients: carried.GetValueOrDefault(g.Pid), RssMb: ProcessMemory.ResidentBytes(g.Pid) / 1024.0 / 1024.0)).ToList();
        var unattributed = clients - spread.Sum(g => g.Clients);
        Console.WriteLine($"(h) {fanOut.Snapshots} snapshots reached all {clients} clients ({connected.Lost} clients closed by a gateway); "
            + $"delivery p50 {fanOut.P50:0.0} ms, p99 {fanOut.P99:0.0} ms over {fanOut.Deliveries} deliveries (one gateway, (e): {baseline.FanOut.P50:0.0} / {baseline.FanOut.P99:0.0} ms), slowest to all {fanOut.SlowestToAll:0.0} ms; "
            + string.Join(", ", spread.Select(g => $"{g.Instance} (pid {g.Pid}) {g.Clients} clients, RSS {g.RssMb:0} MB"))
            + (unattributed > 0 ? $"; {unattributed} clients greeted by no known replica" : "") + $"; CPU: {cpu}");
        report.Profiles.Add($"(h) fan-out to {clients:#,0} clients over {gateways.Count} gateways: {cpu}");

        var scenario = $"(h) snapshot fan-out to {clients:#,0} clients over {gateways.Count} gateways";
        List<BenchRow> rows =
        [
            new(scenario, $"delivery p99 ({fanOut.Snapshots} snapshots, {fanOut.Deliveries:#,0} deliveries)", fanOut.P99, baseline.FanOut.P99,
                $"one gateway, (e): {baseline.FanOut.Snapshots} snapshots", FanOutBench.Target,
                fanOut.Snapshots >= snapshots && fanOut.P99 <= FanOutBench.TargetMs, "ms") { LowerIsBetter = true },
        ];
        foreach (var gateway in spread)
        {
            // The clients are dealt in turn: a replica that greeted none of them carried no share, and (h) measured one gateway.
            rows.Add(new(scenario, $"share of the clients carried by {gateway.Instance} (pid {gateway.Pid}): {gateway.Clients:#,0} of {clients:#,0}",
                100.0 * gateway.Clients / clients, null, "", "—", gateway.Clients > 0, "%"));
            rows.Add(new(scenario, $"RSS of {gateway.Instance}", gateway.RssMb, baseline.RssMb, "one gateway with all of them, (e)",
                FanOutBench.RssTarget, gateway.RssMb <= FanOutBench.RssTargetMb, "MB"));
        }
        return [.. rows];
    }
}
