using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sensors360.AppHost.Infrastructure;
using Sensors360.IntegrationTests.Reliability;
using Sensors360.ReliabilityReport;

namespace Sensors360.IntegrationTests.HighAvailability;

/// <summary>
/// One instance of each kind SIGKILLed under a steady heartbeat load with operators' WebSockets open, in the ha
/// topology: whatever the API answered 202 for is stored exactly once, and the survivors carry on.
/// </summary>
[Collection(HaCollection.Name)]
[Trait("Category", "HighAvailability")]
public sealed partial class HaFaultTests(HaFixture fixture)
{
    [Fact]
    public async Task Killing_one_ingestion_replica_under_load_loses_nothing_and_the_other_keeps_answering()
    {
        var outcome = await FaultUnderLoad.RunAsync(fixture, "ha-ingestion", async ct =>
            (await fixture.KillAsync(fixture.InstancesOf("ingestion-api")[0], null, ct), fixture.InstancesOf("ingestion-api")[0]), Restart.AfterMeasuring);
        Record("One Ingestion.Api replica of two SIGKILLed under load", "Nothing answered 202 is lost or stored twice; the other replica answers on the same address", outcome);
    }

    [Fact]
    public async Task Killing_one_gateway_replica_drops_only_its_streams_which_reconnect_to_the_other()
    {
        var outcome = await FaultUnderLoad.RunAsync(fixture, "ha-gateway", async ct =>
            (await fixture.KillAsync(fixture.InstancesOf("realtime-gateway")[0], null, ct), fixture.InstancesOf("realtime-gateway")[0]), Restart.AfterMeasuring);
        Record("One Realtime.Gateway replica of two SIGKILLed with operators' WebSockets open", "Its clients reconnect on the same address and get a fresh snapshot; heartbeats are untouched", outcome);
        Assert.InRange(outcome.StreamDrops, 1, FaultUnderLoad.Clients * 40);
    }

    [Fact]
    public async Task Killing_the_leading_worker_hands_the_periodic_work_to_the_other_and_loses_nothing()
    {
        string? leader = null;
        TimeSpan handover = default;
        var outcome = await FaultUnderLoad.RunAsync(fixture, "ha-worker", async ct =>
        {
            leader = await LeaderAsync(ct);
            var killed = await fixture.KillAsync(leader, null, ct);
            var survivor = fixture.InstancesOf("monitor-worker").Single(i => i != leader);
            Assert.True(await Poll.UntilAsync(async () => await RoleAsync(survivor, ct) == "leader", TimeSpan.FromMinutes(1)), "no worker took the lead");
            handover = killed.Elapsed;
            return (killed, leader);
        }, Restart.AfterMeasuring);
        Record("The leading Monitor.Worker of two SIGKILLed mid-batch under load", "The other takes the lead (scans, snapshots); unacknowledged batches are redelivered to it; nothing lost or doubled",
            outcome, $"; the other worker led {handover.TotalSeconds:0.0} s after the kill");
    }

    [Fact]
    public async Task Killing_a_RabbitMQ_node_under_load_loses_nothing_the_API_accepted()
    {
        var node = fixture.InstancesOf(InfrastructureExtensions.MessagingName)[0];
        var outcome = await FaultUnderLoad.RunAsync(fixture, "ha-broker", async ct => (await fixture.KillAsync(node, "beam.smp", ct), node), Restart.AfterMeasuring);
        Record("RabbitMQ node 1 of 3 SIGKILLed under load (the first every client tries)", "Quorum queues keep every confirmed message on the other two; clients reconnect to them",
            outcome);
    }

    [Fact]
    public async Task Killing_the_PostgreSQL_standby_pauses_commits_until_it_is_back_and_loses_nothing()
    {
        var standby = fixture.InstancesOf(InfrastructureExtensions.StandbyName)[0];
        var outcome = await FaultUnderLoad.RunAsync(fixture, "ha-standby", async ct => (await fixture.KillAsync(standby, "postgres", ct), standby), Restart.AtOnce);
        Record("The PostgreSQL standby SIGKILLed under load, then started again", "Commits wait for it (synchronous replication) and resume once it streams again; nothing lost",
            outcome);
    }

    void Record(string fault, string expected, FaultOutcome outcome, string extra = "")
    {
        ScenarioResults.Record(new ScenarioResult("ha: " + fault, expected, outcome.Describe(extra),
            outcome.Tally.Accepted, outcome.Tally.Lost, outcome.Tally.Duplicated, outcome.Met));
        Assert.True(outcome.Met, outcome.Describe(extra));
    }

    async Task<string> LeaderAsync(CancellationToken cancellationToken)
    {
        string? leader = null;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            foreach (var instance in fixture.InstancesOf("monitor-worker"))
            {
                if (await RoleAsync(instance, cancellationToken) == "leader")
                {
                    leader = instance;
                    return true;
                }
            }
            return false;
        }, TimeSpan.FromSeconds(30)), "no worker leads");
        return leader!;
    }

    /// <summary>"leader" or "standby", from the instance's own /health (asked as the gateway, which sees the checks).</summary>
    async Task<string?> RoleAsync(string instance, CancellationToken cancellationToken)
    {
        // DCP starts a replica as `dotnet run`; the service listening is its child.
        var pid = fixture.ProcessIdOf(instance);
        var port = ListeningPorts([pid, .. LocalProcesses.DescendantsOf(pid)]).FirstOrDefault();
        if (port == 0)
        {
            return null;
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) }.WithServiceKey(ServiceKeys.Gateway);
        try
        {
            var body = await http.GetStringAsync("/health", cancellationToken);
            return RoleInHealth().Match(body) is { Success: true } match ? match.Groups[1].Value : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The TCP ports any of the processes listens on, from <c>ss</c>.</summary>
    static IEnumerable<int> ListeningPorts(IReadOnlyCollection<int> pids)
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", "-ltnpH") { RedirectStandardOutput = true })!;
        var lines = ss.StandardOutput.ReadToEnd().Split('\n');
        ss.WaitForExit();
        foreach (var line in lines.Where(l => pids.Any(pid => l.Contains($"pid={pid},", StringComparison.Ordinal))))
        {
            var local = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
            yield return int.Parse(local[(local.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex("\"description\":\"(leader|standby)\"")]
    private static partial Regex RoleInHealth();
}
