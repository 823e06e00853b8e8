using System.Diagnostics;
using Npgsql;
using Sensors360.AppHost.Infrastructure;
using Sensors360.IntegrationTests.Reliability;
using Sensors360.ReliabilityReport;

namespace Sensors360.IntegrationTests.HighAvailability;

/// <summary>An ha system of its own: after its primary is killed and the standby promoted there is no standby left.</summary>
public sealed class PromotionFixture : HaFixture;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PromotionCollection : ICollectionFixture<PromotionFixture>
{
    public const string Name = "Standby promotion";
}

[Collection(PromotionCollection.Name)]
[Trait("Category", "HighAvailability")]
public sealed class PromotionTests(PromotionFixture fixture)
{
    [Fact]
    public async Task Promoting_the_standby_after_the_primary_is_killed_under_load_loses_nothing_and_the_services_follow_it()
    {
        var primary = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync(InfrastructureExtensions.PostgresName));
        var standby = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync(InfrastructureExtensions.StandbyName));
        // Counts follow the primary wherever it is, as the services' own connection strings do.
        var either = new NpgsqlConnectionStringBuilder(primary.ConnectionString)
        {
            Host = $"{primary.Host}:{primary.Port},{standby.Host}:{standby.Port}",
            Database = InfrastructureExtensions.DatabaseName,
            TargetSessionAttributes = "primary",
        };

        TimeSpan promoted = default;
        var outcome = await FaultUnderLoad.RunAsync(fixture, "ha-promotion", async ct =>
        {
            var instance = fixture.InstancesOf(InfrastructureExtensions.PostgresName)[0];
            var killed = await fixture.KillAsync(instance, "postgres", ct);
            // What an operator (or a failover manager) does: promote the standby, and wait until it takes writes.
            await using var promote = new NpgsqlConnection(standby.ConnectionString);
            await promote.OpenAsync(ct);
            await using (var command = new NpgsqlCommand("SELECT pg_promote(wait => true)", promote))
            {
                Assert.True((bool)(await command.ExecuteScalarAsync(ct))!, "pg_promote did not finish");
            }
            promoted = killed.Elapsed;
            return (killed, instance);
        }, Restart.Never, either.ConnectionString);

        ScenarioResults.Record(new ScenarioResult("ha: the PostgreSQL primary SIGKILLed under load, then the standby promoted",
            "Every commit was on the standby before it returned, so nothing answered 202 is lost; the services' multi-host connection strings find the new primary",
            outcome.Describe($"; standby promoted {promoted.TotalSeconds:0.0} s after the kill"),
            outcome.Tally.Accepted, outcome.Tally.Lost, outcome.Tally.Duplicated, outcome.Met));
        Assert.True(outcome.Met, outcome.Describe());
    }
}
