using Npgsql;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Upgrading a database from before the alerting service: the AppHost's provisioning moves the worker's webhooks
/// table, rows and all, into the alerting service's schema and hands it to that service's login. Run on a scratch
/// database of the started system's server, so the system's own data is left alone.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class WebhooksMoveTests(SensorsAppFixture fixture)
{
    [Fact]
    public async Task Provisioning_moves_an_older_databases_webhooks_into_the_alerting_schema_with_their_rows()
    {
        var admin = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync("sensorsdb"));
        var scratch = $"upgrade_{Guid.NewGuid():N}";
        await using (var server = NpgsqlDataSource.Create(admin.ConnectionString))
        {
            await server.CreateCommand($"CREATE DATABASE {scratch}").ExecuteNonQueryAsync();
        }
        var scratchAdmin = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = scratch, Pooling = false }.ConnectionString;
        try
        {
            await using (var old = NpgsqlDataSource.Create(scratchAdmin))
            {
                // As the worker's Webhooks migration laid it out.
                await old.CreateCommand("""
                    CREATE TABLE public.webhooks (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, url varchar(2000) NOT NULL,
                        events text[] NOT NULL, secret varchar(100) NOT NULL, created_at timestamptz NOT NULL);
                    INSERT INTO public.webhooks (url, events, secret, created_at) VALUES ('https://hooks.example/a', '{down}', 'whsec_x', now());
                    """).ExecuteNonQueryAsync();
            }
            // The logins' passwords as the started system has them, so provisioning leaves them as they are.
            var passwords = new Dictionary<DatabaseRole, string>();
            foreach (var role in ServiceAccess.DatabaseRoles)
            {
                passwords[role] = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync(role.ResourceName)).Password!;
            }

            await ServiceAccess.ProvisionDatabaseAsync(scratchAdmin, passwords, CancellationToken.None);

            await using var upgraded = NpgsqlDataSource.Create(scratchAdmin);
            Assert.IsType<DBNull>(await upgraded.CreateCommand("SELECT to_regclass('public.webhooks')::text").ExecuteScalarAsync());
            Assert.Equal("https://hooks.example/a", await upgraded.CreateCommand("SELECT url FROM alerting.webhooks").ExecuteScalarAsync());
            Assert.Equal(ServiceAccess.AlertingDatabase.Role,
                await upgraded.CreateCommand("SELECT tableowner FROM pg_tables WHERE schemaname = 'alerting' AND tablename = 'webhooks'").ExecuteScalarAsync());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = NpgsqlDataSource.Create(admin.ConnectionString);
            await server.CreateCommand($"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)").ExecuteNonQueryAsync();
        }
    }
}
