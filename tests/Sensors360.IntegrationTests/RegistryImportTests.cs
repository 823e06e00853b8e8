using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>The registry's CSV import, collector keys, and the internal credentials feed.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class RegistryImportTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    Task<HttpResponseMessage> ImportAsync(string csv, string contentType = "text/csv") =>
        Api.Worker.PostAsync("/api/sensors/import", new StringContent(csv, Encoding.UTF8, contentType));

    Task<long> ActiveWithPrefixAsync(string prefix) =>
        Api.ScalarAsync("SELECT count(*) FROM sensors WHERE tag LIKE $1 || '%' AND retired_at IS NULL", prefix);

    static List<string[]> ParseCsv(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r').Split(','))];

    [Fact]
    public async Task Importing_a_csv_registers_every_sensor_with_labels_and_answers_csv_with_each_key_once()
    {
        var prefix = SensorsApi.UniqueTag("csv") + "-";
        var csv = $"""
            tag,site,expected_interval_seconds,graceSeconds
            {prefix}a,north,30,5
            "{prefix}b",south,,
            {prefix}c,,60,
            """;

        using var response = await ImportAsync(csv);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = ParseCsv(await response.Content.ReadAsStringAsync());
        Assert.Equal(["id", "tag", "key"], rows[0]);
        Assert.Equal([$"{prefix}a", $"{prefix}b", $"{prefix}c"], rows.Skip(1).Select(r => r[1]));
        foreach (var row in rows.Skip(1))
        {
            Assert.StartsWith(ApiKeys.SensorPrefix, row[2]);
            Assert.Equal(1, await Api.ScalarAsync("SELECT count(*) FROM sensors WHERE id = $1 AND key_hash = $2", long.Parse(row[0]), ApiKeys.Hash(row[2])));
        }
        Assert.Equal(1, await Api.ScalarAsync(
            "SELECT count(*) FROM sensors WHERE tag = $1 AND labels->>'site' = 'north' AND expected_interval = interval '30 seconds' AND grace = interval '5 seconds'",
            $"{prefix}a"));
        Assert.Equal(1, await Api.ScalarAsync(
            "SELECT count(*) FROM sensors WHERE tag = $1 AND NOT labels ? 'site' AND expected_interval = interval '60 seconds' AND grace IS NULL", $"{prefix}c"));

        // The imported keys work at the ingestion API.
        await Api.WaitUntilKeyAcceptedAsync(long.Parse(rows[1][0]), rows[1][2]);
    }

    [Fact]
    public async Task A_csv_with_any_broken_row_registers_nothing_and_names_each_bad_line()
    {
        var prefix = SensorsApi.UniqueTag("csvbad") + "-";
        var csv = $"""
            tag,site,expected_interval_seconds
            {prefix}ok,north,30
            {prefix}dup,north,abc
            ,south,10
            {prefix}dup,west,10
            {prefix}short,west
            """;

        using var response = await ImportAsync(csv);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await SensorsApi.JsonAsync(response)).GetProperty("errors");
        Assert.Contains("abc", errors.GetProperty("line 3").ToString());
        Assert.Contains("tag", errors.GetProperty("line 4").ToString());
        Assert.Contains("line 3", errors.GetProperty("line 5").ToString());
        Assert.Contains("fields", errors.GetProperty("line 6").ToString());
        Assert.Equal(0, await ActiveWithPrefixAsync(prefix));
    }

    [Fact]
    public async Task A_csv_reusing_an_active_tag_is_refused_with_409_and_registers_nothing()
    {
        var prefix = SensorsApi.UniqueTag("csvtaken") + "-";
        await Api.RegisterAsync($"{prefix}taken");

        using var response = await ImportAsync($"tag\n{prefix}new\n{prefix}taken\n");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains($"{prefix}taken", (await SensorsApi.JsonAsync(response)).GetProperty("detail").GetString());
        Assert.Equal(1, await ActiveWithPrefixAsync(prefix));
    }

    [Fact]
    public async Task A_csv_import_needs_text_csv_a_tag_column_and_at_least_one_row()
    {
        using var json = await ImportAsync("""{"tag":"x"}""", "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Contains("text/csv", (await SensorsApi.JsonAsync(json)).GetProperty("detail").GetString());

        using var noTag = await ImportAsync("name,site\nx,north\n");
        Assert.Equal(HttpStatusCode.BadRequest, noTag.StatusCode);
        Assert.Contains("tag", (await SensorsApi.JsonAsync(noTag)).GetProperty("errors").GetProperty("header").ToString());

        using var empty = await ImportAsync("tag\n");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task Collector_keys_are_listed_without_their_keys_and_revoking_one_marks_it_revoked()
    {
        var name = SensorsApi.UniqueTag("collector");
        var (id, key) = await Api.CreateCollectorKeyAsync(name, new { site = "north" });
        Assert.StartsWith(ApiKeys.CollectorPrefix, key);

        var listed = await Api.Worker.GetStringAsync("/api/collector-keys");
        Assert.Contains(name, listed);
        Assert.DoesNotContain(key, listed);
        Assert.DoesNotContain(ApiKeys.Hash(key), listed);

        using var revoke = await Api.Worker.DeleteAsync($"/api/collector-keys/{id}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await SensorsApi.JsonAsync(revoke)).GetProperty("revokedAt").ValueKind);
        using var missing = await Api.Worker.DeleteAsync("/api/collector-keys/999999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var invalid = await Api.Worker.PostAsJsonAsync("/api/collector-keys", new { name = "", selector = new Dictionary<string, string> { ["bad key!"] = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await SensorsApi.JsonAsync(invalid)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _) && errors.TryGetProperty("selector", out _), errors.ToString());
    }

    [Fact]
    public async Task The_credentials_feed_pages_through_every_sensor_by_id_and_lists_only_active_collector_keys()
    {
        var (a, keyA) = await Api.RegisterAsync(SensorsApi.UniqueTag("feed"));
        var (b, _) = await Api.RegisterAsync(SensorsApi.UniqueTag("feed"));
        var (revokedId, _) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("feed-revoked"));
        var (activeId, _) = await Api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("feed-active"));
        (await Api.Worker.DeleteAsync($"/api/collector-keys/{revokedId}")).Dispose();

        var page = await Api.Credentials.GetFromJsonAsync<SensorCredentialsPage>($"/internal/credentials/sensors?after={a - 1}&limit=1", JsonSerializerOptions.Web);
        Assert.Equal(a, Assert.Single(page!.Items).SensorId);
        Assert.Equal(ApiKeys.Hash(keyA), page.Items[0].KeyHash);
        Assert.Equal(a, page.Next);
        var next = await Api.Credentials.GetFromJsonAsync<SensorCredentialsPage>($"/internal/credentials/sensors?after={page.Next}&limit=1", JsonSerializerOptions.Web);
        Assert.Equal(b, Assert.Single(next!.Items).SensorId);

        var collectors = await Api.Credentials.GetFromJsonAsync<List<CollectorCredential>>("/internal/credentials/collectors", JsonSerializerOptions.Web);
        Assert.Contains(collectors!, c => c.CollectorKeyId == activeId);
        Assert.DoesNotContain(collectors!, c => c.CollectorKeyId == revokedId);

        using var badLimit = await Api.Credentials.GetAsync("/internal/credentials/sensors?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }
}
