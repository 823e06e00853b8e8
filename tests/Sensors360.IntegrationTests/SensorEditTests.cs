using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>PATCH /api/sensors/{id} and retirement reasons, on the started system (defaults: interval 1 s, grace 0.5 s).</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class SensorEditTests(SensorsAppFixture fixture)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    static HttpRequestMessage Patch(long id, string json, string contentType = "application/merge-patch+json") => new(HttpMethod.Patch, $"/api/sensors/{id}")
    {
        Content = new StringContent(json, Encoding.UTF8) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType) } },
    };

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await SensorsApi.JsonAsync(response);
    }

    /// <summary>A sensor that sent one heartbeat and then went late on the fleet's short default timings.</summary>
    static async Task<long> LateSensorAsync(SensorsApi api)
    {
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("edit"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        Assert.True(await Poll.UntilAsync(async () => await api.TextAsync("SELECT state FROM sensor_status WHERE id = $1", id) == "late", Deadline),
            "the sensor never went late");
        return id;
    }

    [Fact]
    public async Task A_longer_interval_moves_the_deadline_at_once_and_a_late_sensor_is_up_again_and_back_to_default_is_late_again()
    {
        await using var api = new SensorsApi(fixture.App);
        var id = await LateSensorAsync(api);
        var heard = await api.TimeAsync("SELECT last_received_at FROM sensor_status WHERE id = $1", id);

        using var longer = await api.Worker.SendAsync(Patch(id, """{"expectedIntervalSeconds": 3600, "graceSeconds": 60}"""));
        Assert.Equal(HttpStatusCode.OK, longer.StatusCode);
        var edited = await SensorsApi.JsonAsync(longer);
        Assert.Equal("up", edited.GetProperty("state").GetString());
        var timings = edited.GetProperty("timings");
        Assert.Equal(3600, timings.GetProperty("expectedIntervalSeconds").GetDouble());
        Assert.False(timings.GetProperty("expectedIntervalIsDefault").GetBoolean());
        Assert.Equal(heard.AddSeconds(3660), timings.GetProperty("lateAt").GetDateTimeOffset());
        Assert.Equal(heard.AddSeconds(3660), await api.TimeAsync("SELECT late_at FROM sensor_status WHERE id = $1", id));
        Assert.Equal(1, await api.ScalarAsync("SELECT count(*) FROM sensor_state_changes WHERE sensor_id = $1 AND from_state = 'late' AND to_state = 'up'", id));

        using var defaults = await api.Worker.SendAsync(Patch(id, """{"expectedIntervalSeconds": null, "graceSeconds": null}"""));
        Assert.Equal(HttpStatusCode.OK, defaults.StatusCode);
        var reset = (await SensorsApi.JsonAsync(defaults)).GetProperty("timings");
        Assert.True(reset.GetProperty("expectedIntervalIsDefault").GetBoolean());
        Assert.Equal(heard.AddSeconds(1.5), reset.GetProperty("lateAt").GetDateTimeOffset());
        // A deadline already passed is the staleness scan's to act on, as for any sensor.
        Assert.True(await Poll.UntilAsync(async () => await api.TextAsync("SELECT state FROM sensor_status WHERE id = $1", id) == "late", Deadline),
            "the scan did not find the sensor late on its default interval again");
    }

    [Fact]
    public async Task Tag_and_labels_change_and_the_ingestion_API_admits_a_collector_for_the_new_labels()
    {
        await using var api = new SensorsApi(fixture.App);
        var site = SensorsApi.UniqueTag("site");
        var (_, collectorKey) = await api.CreateCollectorKeyAsync(SensorsApi.UniqueTag("collector"), new { site });
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("relabel"), new { site = "elsewhere" });
        await api.WaitUntilKeyAcceptedAsync(id, key);
        using var before = await api.PostWithCollectorKeyAsync(collectorKey, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()), Deadline);
        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);

        var tag = SensorsApi.UniqueTag("renamed");
        using var response = await api.Worker.SendAsync(Patch(id, JsonSerializer.Serialize(new { tag, labels = new { site, rack = "4" } }), "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(tag, await api.TextAsync("SELECT tag FROM sensors WHERE id = $1", id));
        Assert.Equal($$"""{"rack": "4", "site": "{{site}}"}""", await api.TextAsync("SELECT labels::text FROM sensors WHERE id = $1", id));

        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var after = await api.PostHeartbeatsAsync(collectorKey, SensorsApi.Heartbeat(id, SensorsApi.RecentTime()), bearer: false);
            return after.StatusCode == HttpStatusCode.Accepted;
        }, Deadline), "the ingestion API never learnt the sensor's new labels");
    }

    [Fact]
    public async Task Bad_edits_are_refused_with_a_problem_naming_the_field_and_change_nothing()
    {
        await using var api = new SensorsApi(fixture.App);
        var (id, _) = await api.RegisterAsync(SensorsApi.UniqueTag("bad-edit"));
        var (other, _) = await api.RegisterAsync(SensorsApi.UniqueTag("taken"));
        var takenTag = await api.TextAsync("SELECT tag FROM sensors WHERE id = $1", other);
        var before = await api.TextAsync("SELECT row(tag, labels, expected_interval, grace, stale_after)::text FROM sensors WHERE id = $1", id);

        async Task<JsonElement> RefusedAsync(string json, HttpStatusCode status, string contentType = "application/merge-patch+json")
        {
            using var response = await api.Worker.SendAsync(Patch(id, json, contentType));
            return await ProblemAsync(response, status);
        }

        Assert.True((await RefusedAsync("""{"expectedIntervalSeconds": 0}""", HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expectedIntervalSeconds", out _));
        Assert.True((await RefusedAsync("""{"graceSeconds": "ten"}""", HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("graceSeconds", out _));
        Assert.True((await RefusedAsync("""{"tag": ""}""", HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("tag", out _));
        Assert.True((await RefusedAsync("""{"labels": {"bad key!": "x"}}""", HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("labels", out _));
        Assert.True((await RefusedAsync("""{"keyHash": "x"}""", HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("keyHash", out _));
        Assert.Contains("not valid JSON", (await RefusedAsync("""{"tag": """, HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        Assert.Contains("merge-patch+json", (await RefusedAsync("tag=x", HttpStatusCode.UnsupportedMediaType, "text/plain")).GetProperty("detail").GetString());
        Assert.Contains(takenTag, (await RefusedAsync(JsonSerializer.Serialize(new { tag = takenTag }), HttpStatusCode.Conflict)).GetProperty("detail").GetString());
        Assert.Equal(before, await api.TextAsync("SELECT row(tag, labels, expected_interval, grace, stale_after)::text FROM sensors WHERE id = $1", id));

        using var missing = await api.Worker.SendAsync(Patch(long.MaxValue - 3, "{}"));
        await ProblemAsync(missing, HttpStatusCode.NotFound);
        using var retire = await api.Worker.PostAsync($"/api/sensors/{other}/retire", null);
        using var retired = await api.Worker.SendAsync(Patch(other, """{"graceSeconds": 5}"""));
        Assert.Contains("retired", (await ProblemAsync(retired, HttpStatusCode.Conflict)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_retirement_keeps_its_reason_an_unknown_reason_is_refused_and_none_stays_allowed()
    {
        await using var api = new SensorsApi(fixture.App);
        var (decommissioned, _) = await api.RegisterAsync(SensorsApi.UniqueTag("decommissioned"));
        var (replaced, _) = await api.RegisterAsync(SensorsApi.UniqueTag("preventive"));
        var (plain, _) = await api.RegisterAsync(SensorsApi.UniqueTag("plain"));

        using var unknown = await api.Worker.PostAsJsonAsync($"/api/sensors/{decommissioned}/retire", new { reason = "tired" });
        Assert.Contains("replaced-preventively", (await ProblemAsync(unknown, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("reason")[0].GetString());
        Assert.Equal("new", await api.TextAsync("SELECT state FROM sensor_status WHERE id = $1", decommissioned));

        using var retire = await api.Worker.PostAsJsonAsync($"/api/sensors/{decommissioned}/retire", new { reason = "decommissioned" });
        Assert.Equal("decommissioned", (await SensorsApi.JsonAsync(retire)).GetProperty("retirementReason").GetString());
        using var replace = await api.Worker.PostAsJsonAsync($"/api/sensors/{replaced}/replace", new { reason = "replaced-preventively" });
        Assert.Equal(HttpStatusCode.Created, replace.StatusCode);
        using var none = await api.Worker.PostAsync($"/api/sensors/{plain}/retire", null);
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);

        Assert.Equal("decommissioned", await api.TextAsync("SELECT retirement_reason FROM sensor_status WHERE id = $1", decommissioned));
        Assert.Equal("replaced-preventively", await api.TextAsync("SELECT retirement_reason FROM sensor_status WHERE id = $1", replaced));
        Assert.Equal("", await api.TextAsync("SELECT retirement_reason FROM sensor_status WHERE id = $1", plain));
        using var detail = await api.Worker.GetAsync($"/api/sensors/{replaced}");
        Assert.Equal("replaced-preventively", (await SensorsApi.JsonAsync(detail)).GetProperty("retirementReason").GetString());
    }
}
