using System.Net;
using System.Text.Json;
using Npgsql;
using Sensors360.AppHost.Infrastructure;
using Sensors360.Messaging;

namespace Sensors360.IntegrationTests.HighAvailability;

/// <summary>What <c>Topology:Mode=ha</c> starts, looked at from the outside.</summary>
[Collection(HaCollection.Name)]
[Trait("Category", "HighAvailability")]
public sealed class HaTopologyTests(HaFixture fixture)
{
    [Fact]
    public async Task Every_service_runs_twice_behind_one_address_and_answers_there()
    {
        foreach (var service in SensorsApp.ServiceNames)
        {
            Assert.Equal(2, fixture.InstancesOf(service).Count);
        }
        using var gateway = Gateway.Anonymous(fixture.App);
        using var ingestion = new HttpClient { BaseAddress = fixture.App.GetEndpoint("ingestion-api", "http") };
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await ingestion.GetAsync("/health")).StatusCode);
        }
    }

    [Fact]
    public async Task RabbitMQ_runs_three_clustered_nodes_and_every_durable_queue_is_a_quorum_queue_on_all_three()
    {
        using var management = await fixture.App.CreateManagementClientAsync();
        using var nodes = JsonDocument.Parse(await management.GetStringAsync("/api/nodes"));
        Assert.Equal(3, nodes.RootElement.EnumerateArray().Count(n => n.GetProperty("running").GetBoolean()));

        using var queues = JsonDocument.Parse(await management.GetStringAsync("/api/queues"));
        var durable = queues.RootElement.EnumerateArray().Where(q => q.GetProperty("durable").GetBoolean()).ToList();
        Assert.Contains(durable, q => q.GetProperty("name").GetString() == "heartbeats");
        foreach (var queue in durable)
        {
            var name = queue.GetProperty("name").GetString();
            Assert.True(queue.GetProperty("type").GetString() == "quorum", $"{name} is a {queue.GetProperty("type")} queue");
            Assert.True(queue.GetProperty("members").GetArrayLength() == 3, $"{name} has {queue.GetProperty("members").GetArrayLength()} members");
        }
    }

    [Fact]
    public async Task Every_service_is_given_all_three_nodes_and_both_database_servers()
    {
        foreach (var login in ServiceAccess.BrokerUsers)
        {
            var connection = (await fixture.App.GetConnectionStringAsync(login.ResourceName))!;
            Assert.Equal(3, BrokerAddress.Parse(connection).Nodes.Count);
        }
        foreach (var role in ServiceAccess.DatabaseRoles)
        {
            var builder = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync(role.ResourceName));
            Assert.Equal(2, builder.Host!.Split(',').Length);
            Assert.Equal("primary", builder.TargetSessionAttributes);
            Assert.Equal(2, builder.HostRecheckSeconds);
        }
    }

    [Fact]
    public async Task The_standby_replays_the_primary_synchronously_and_refuses_writes()
    {
        await using var primary = NpgsqlDataSource.Create((await fixture.App.GetConnectionStringAsync(InfrastructureExtensions.DatabaseName))!);
        await using (var replication = primary.CreateCommand("SELECT state, sync_state FROM pg_stat_replication"))
        await using (var reader = await replication.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync(), "no standby is connected");
            Assert.Equal(("streaming", "sync"), (reader.GetString(0), reader.GetString(1)));
        }

        var marker = Guid.NewGuid().ToString("N");
        await using (var write = primary.CreateCommand($"CREATE TABLE IF NOT EXISTS ha_probe (v text); INSERT INTO ha_probe VALUES ('{marker}')"))
        {
            await write.ExecuteNonQueryAsync();
        }
        await using var standby = await fixture.StandbyAsync();
        await using (var read = standby.CreateCommand($"SELECT count(*) FROM ha_probe WHERE v = '{marker}'"))
        {
            // Synchronous replication: the commit returned only once the standby had it.
            Assert.True(await Poll.UntilAsync(async () => Convert.ToInt64(await read.ExecuteScalarAsync()) == 1, TimeSpan.FromSeconds(5)));
        }
        await using var refused = standby.CreateCommand("INSERT INTO ha_probe VALUES ('x')");
        var error = await Assert.ThrowsAsync<PostgresException>(() => refused.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
        await using var drop = primary.CreateCommand("DROP TABLE ha_probe");
        await drop.ExecuteNonQueryAsync();
    }
}
