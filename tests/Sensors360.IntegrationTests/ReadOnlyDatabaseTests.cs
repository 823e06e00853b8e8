using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>
/// A Monitor.Worker replica given <c>sensorsdb-readonly</c>: the operators' read-only queries go there, writes do not.
/// The read connection string is the multi-host kind the "ha" topology gives — a standby first (here a port nobody
/// listens on: the standby is down), then the primary, preferring a standby — with a search path that puts a schema of
/// views first, through which every tag and model kind reads "standby:…" and no heartbeat is seen. So each answer
/// tells which connection it was read on.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class ReadOnlyDatabaseTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    const string Schema = "readonly_probe";
    const string Mark = "standby:";

    /// <summary>Views over the worker's tables, named like them, that mark what they return.</summary>
    static readonly string CreateProbe = $"""
        DROP SCHEMA IF EXISTS {Schema} CASCADE;
        CREATE SCHEMA {Schema};
        DO $$
        DECLARE t record; columns text;
        BEGIN
            FOR t IN SELECT * FROM (VALUES ('sensors', 'tag'), ('sensor_status', 'tag'), ('risk_models', 'kind')) AS v(name, marked) LOOP
                SELECT string_agg(CASE WHEN attname = t.marked THEN format('''{Mark}'' || %I AS %I', attname, attname) ELSE quote_ident(attname) END,
                                  ', ' ORDER BY attnum)
                INTO columns FROM pg_attribute
                WHERE attrelid = format('public.%I', t.name)::regclass AND attnum > 0 AND NOT attisdropped;
                EXECUTE format('CREATE VIEW {Schema}.%I AS SELECT %s FROM public.%I', t.name, columns, t.name);
            END LOOP;
        END $$;
        CREATE VIEW {Schema}.heartbeats AS SELECT * FROM public.heartbeats WHERE false;
        GRANT USAGE ON SCHEMA {Schema} TO {ServiceAccess.MonitorWorkerDatabase.Role};
        GRANT SELECT ON ALL TABLES IN SCHEMA {Schema} TO {ServiceAccess.MonitorWorkerDatabase.Role};
        """;

    [Fact]
    public async Task A_worker_given_sensorsdb_readonly_answers_every_read_only_query_from_it_writes_to_sensorsdb_and_stays_healthy_without_a_standby()
    {
        await using var admin = NpgsqlDataSource.Create((await App.GetConnectionStringAsync(InfrastructureExtensions.DatabaseName))!);
        await using (var create = admin.CreateCommand(CreateProbe))
        {
            await create.ExecuteNonQueryAsync();
        }
        try
        {
            using var worker = await StartWorkerAsync();
            using var http = new HttpClient { BaseAddress = worker.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }.WithServiceKey(ServiceKeys.Gateway);

            // A write through this worker goes to sensorsdb: the read connection's sessions are read-only.
            var tag = SensorsApi.UniqueTag("readonly");
            long id;
            string key;
            using (var registered = await http.PostAsJsonAsync("/api/sensors", new { tag, expectedIntervalSeconds = 3600, graceSeconds = 600, staleAfterSeconds = 3600 }))
            {
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
                var body = await SensorsApi.JsonAsync(registered);
                (id, key) = (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
            }
            await Api.WaitUntilKeyAcceptedAsync(id, key);
            using (var beat = await Api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(id, DateTimeOffset.UtcNow.AddSeconds(-1))))
            {
                Assert.Equal(HttpStatusCode.Accepted, beat.StatusCode);
            }
            Assert.True(await Poll.UntilAsync(async () => await Api.HeartbeatRowsAsync(id) >= 2, TimeSpan.FromSeconds(15)));

            var list = await http.GetFromJsonAsync<JsonElement>($"/api/sensors?tag={Uri.EscapeDataString(Mark + tag)}");
            Assert.Equal(Mark + tag, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("tag").GetString());

            var detail = await http.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}");
            Assert.Equal(Mark + tag, detail.GetProperty("tag").GetString());

            Assert.Empty((await http.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}/heartbeats")).EnumerateArray());
            Assert.NotEmpty((await Api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}/heartbeats")).EnumerateArray());

            var stats = await http.GetFromJsonAsync<JsonElement>($"/api/stats?tag={Uri.EscapeDataString(Mark + tag)}");
            Assert.Equal(1, stats.GetProperty("total").GetInt32());

            var survival = await http.GetFromJsonAsync<JsonElement>($"/api/stats/survival?tag={Uri.EscapeDataString(Mark + tag)}");
            Assert.Equal(1, survival.GetProperty("summary").GetProperty("lives").GetInt32());

            // The leader fits the model at its first scoring pass and scores an up sensor within a period (1 s).
            JsonElement risk = default;
            Assert.True(await Poll.UntilAsync(async () =>
            {
                using var response = await http.GetAsync($"/api/sensors/{id}/risk");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                risk = await SensorsApi.JsonAsync(response);
                return true;
            }, TimeSpan.FromSeconds(30)), "The sensor was never scored.");
            Assert.Equal(Mark + tag, risk.GetProperty("tag").GetString());
            var queue = await http.GetFromJsonAsync<JsonElement>($"/api/maintenance/queue?minRisk=0&tag={Uri.EscapeDataString(Mark + tag)}");
            Assert.Equal(Mark + tag, Assert.Single(queue.GetProperty("items").EnumerateArray()).GetProperty("tag").GetString());
            Assert.StartsWith(Mark, queue.GetProperty("model").GetProperty("kind").GetString());
            var model = await http.GetFromJsonAsync<JsonElement>("/api/maintenance/model");
            Assert.StartsWith(Mark, model.GetProperty("kind").GetString());

            // No standby answers: reads fell back to the primary, which /health shows without failing the worker.
            using var health = await http.GetAsync("/health");
            var report = await SensorsApi.JsonAsync(health);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var check = report.GetProperty("checks").GetProperty("sensorsdb-readonly");
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.Contains("primary", check.GetProperty("description").GetString());
        }
        finally
        {
            await using var drop = admin.CreateCommand($"DROP SCHEMA {Schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A second worker on the AppHost's database and broker, whose reads go through <see cref="Schema"/>.</summary>
    async Task<StartedWorker> StartWorkerAsync()
    {
        var primary = new NpgsqlConnectionStringBuilder(await App.GetConnectionStringAsync(ServiceAccess.MonitorWorkerDatabase.ResourceName));
        var reads = new NpgsqlConnectionStringBuilder(primary.ConnectionString)
        {
            Host = $"127.0.0.1:{Ports.Free()},{primary.Host}:{primary.Port}",
            TargetSessionAttributes = "prefer-standby",
            SearchPath = $"{Schema},public",
        };
        var port = Ports.Free();
        var process = ChildProcess.StartDotnet(BuiltProjects.AssemblyOf(new Projects.Monitor_Worker()), new Dictionary<string, string?>
        {
            ["ConnectionStrings__sensorsdb"] = primary.ConnectionString,
            ["ConnectionStrings__sensorsdb-readonly"] = reads.ConnectionString,
            ["ConnectionStrings__messaging"] = await App.GetConnectionStringAsync(ServiceAccess.MonitorWorkerBroker.ResourceName),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ServiceAuth__Callers__gateway"] = ServiceKeys.Gateway,
        });
        var worker = new StartedWorker(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = worker.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var healthy = await Poll.UntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync("/health");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (!healthy)
        {
            worker.Dispose();
            Assert.Fail("The second worker never became healthy:\n" + string.Join("\n", process.Output.TakeLast(40)));
        }
        return worker;
    }

    sealed record StartedWorker(ChildProcess Process, Uri BaseAddress) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }
}
