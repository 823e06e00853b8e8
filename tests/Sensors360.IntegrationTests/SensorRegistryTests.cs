using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>Monitor.Worker's internal sensor registry API.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class SensorRegistryTests(SensorsAppFixture fixture)
{
    DistributedApplication App => fixture.App;

    static string UniqueTag(string name) => SensorsApi.UniqueTag(name);

    async Task<T?> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var db = NpgsqlDataSource.Create((await App.GetConnectionStringAsync("sensorsdb"))!);
        await using var command = db.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    static Task<JsonElement> JsonAsync(HttpResponseMessage response) => SensorsApi.JsonAsync(response);

    async Task<(long Id, string Key)> RegisterAsync(HttpClient worker, string tag)
    {
        await using var api = new SensorsApi(App);
        return await api.RegisterAsync(tag, new { site = "north", rack = "7" });
    }

    [Fact]
    public async Task Registering_returns_a_prefixed_256_bit_key_once_and_stores_only_its_hash()
    {
        using var worker = App.CreateWorkerClient();
        var tag = UniqueTag("register");

        var (id, key) = await RegisterAsync(worker, tag);

        Assert.StartsWith(ApiKeys.SensorPrefix, key);
        Assert.Equal(43, key.Length - ApiKeys.SensorPrefix.Length);   // 32 bytes, base64url without padding
        Assert.Equal(ApiKeys.Hash(key), await ScalarAsync<string>("SELECT key_hash FROM sensors WHERE id = $1", id));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM sensors WHERE id = $1 AND (key_hash = $2 OR labels::text LIKE '%' || $2 || '%')", id, key));
        Assert.Equal("new", await ScalarAsync<string>("SELECT state FROM sensor_status WHERE id = $1", id));
        Assert.Equal("north", await ScalarAsync<string>("SELECT labels->>'site' FROM sensors WHERE id = $1", id));
    }

    [Fact]
    public async Task An_active_tag_cannot_be_registered_twice_but_a_retired_one_can_be_reused()
    {
        using var worker = App.CreateWorkerClient();
        var tag = UniqueTag("dup");
        var (first, _) = await RegisterAsync(worker, tag);

        using var conflict = await worker.PostAsJsonAsync("/api/sensors", new { tag });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        Assert.Contains(tag, (await JsonAsync(conflict)).GetProperty("detail").GetString());

        using var retire = await worker.PostAsync($"/api/sensors/{first}/retire", null);
        Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        var (second, _) = await RegisterAsync(worker, tag);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Invalid_registrations_are_refused_with_a_problem_naming_each_field_and_store_nothing()
    {
        using var worker = App.CreateWorkerClient();
        var tag = "bad\u0007" + UniqueTag("tag");

        using var response = await worker.PostAsJsonAsync("/api/sensors",
            new { tag, labels = new Dictionary<string, string> { ["bad key!"] = "x" }, expectedIntervalSeconds = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("tag", out _));
        Assert.True(errors.TryGetProperty("labels", out _));
        Assert.True(errors.TryGetProperty("expectedIntervalSeconds", out _));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM sensors WHERE tag = $1", tag));
    }

    [Fact]
    public async Task Rotating_a_key_replaces_the_stored_hash()
    {
        using var worker = App.CreateWorkerClient();
        var (id, oldKey) = await RegisterAsync(worker, UniqueTag("rotate"));

        using var response = await worker.PostAsync($"/api/sensors/{id}/rotate-key", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var newKey = (await JsonAsync(response)).GetProperty("key").GetString()!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(ApiKeys.Hash(newKey), await ScalarAsync<string>("SELECT key_hash FROM sensors WHERE id = $1", id));
    }

    [Fact]
    public async Task Retiring_is_terminal_recorded_as_a_flip_and_refuses_new_keys()
    {
        using var worker = App.CreateWorkerClient();
        var (id, _) = await RegisterAsync(worker, UniqueTag("retire"));

        using var retire = await worker.PostAsync($"/api/sensors/{id}/retire", null);
        using var again = await worker.PostAsync($"/api/sensors/{id}/retire", null);
        using var rotate = await worker.PostAsync($"/api/sensors/{id}/rotate-key", null);
        using var unknown = await worker.PostAsync($"/api/sensors/{long.MaxValue}/retire", null);

        Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        Assert.Equal("retired", (await JsonAsync(retire)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1L, await ScalarAsync<long>(
            "SELECT count(*) FROM sensor_state_changes WHERE sensor_id = $1 AND from_state = 'new' AND to_state = 'retired'", id));
        Assert.Equal(HttpStatusCode.Conflict, rotate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
