using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Bad heartbeat requests through the started system: each gets its documented 4xx as problem+json with a detail
/// that says what is wrong, and queues nothing. "Nothing queued" is proven per case with fresh sensors: a good
/// sentinel heartbeat sent after the bad request is stored, and the sensors involved still have exactly the rows
/// they had before (the broker delivers in order, so anything the bad request had published would be stored too).
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class BadHeartbeatInputTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(30);
    static readonly TimeSpan RegistryDeadline = TimeSpan.FromSeconds(5);

    /// <summary>The sensors a case may use: its own (ready, one stored heartbeat), another one, and a retired one.</summary>
    public sealed record Subject(long Id, string Key, long OtherId, long RetiredId, string RetiredKey)
    {
        /// <summary>Plausible times well away from the warm-up's and the sentinel's, so a leak shows as an extra row.</summary>
        public static DateTimeOffset Earlier(int minutes) => SensorsApi.RecentTime(minutes * 60 + 300);

        public static long Epoch(int minutes) => Earlier(minutes).ToUnixTimeSeconds();

        public string Item(int minutes = 0, long? sensorId = null) => SensorsApi.Heartbeat(sensorId ?? Id, Earlier(minutes));
    }

    public sealed record Case(HttpStatusCode Status, string DetailMentions, Func<Subject, HttpRequestMessage> Request, int? ItemIndex = null);

    static HttpRequestMessage Json(Subject s, string body, string contentType = "application/json", string? key = null) =>
        Raw(Encoding.UTF8.GetBytes(body), contentType, key ?? s.Key);

    static HttpRequestMessage Raw(byte[] body, string contentType, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/heartbeats") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return request;
    }

    static HttpRequestMessage Legacy(string query, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v0/heartbeat?" + query);
        request.Headers.Add("X-Api-Key", key);
        return request;
    }

    static string Batch(Subject s, int count) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"sensorId\":{s.Id},\"timestamp\":{Subject.Epoch(0) - i}}}")) + "]";

    static readonly Dictionary<string, Case> Cases = new()
    {
        // Malformed bodies (400)
        ["truncated JSON"] = new(HttpStatusCode.BadRequest, "byte offset", s => Json(s, $"[{s.Item()}, {{\"sensorId\": ")),
        ["not JSON at all"] = new(HttpStatusCode.BadRequest, "not valid heartbeat JSON", s => Json(s, $"sensorId={s.Id}&timestamp={Subject.Epoch(0)}")),
        ["a bare number as the body"] = new(HttpStatusCode.BadRequest, "heartbeat object or an array", s => Json(s, s.Id.ToString())),
        ["invalid UTF-8"] = new(HttpStatusCode.BadRequest, "UTF-8",
            s => Raw([.. Encoding.UTF8.GetBytes($"{{\"sensorId\":{s.Id},\"timestamp\":\"2026"), 0xC3, 0x28, .. "\"}"u8], "application/json", s.Key)),
        ["an empty array"] = new(HttpStatusCode.BadRequest, "empty", s => Json(s, "[]")),
        ["an empty body"] = new(HttpStatusCode.BadRequest, "not valid heartbeat JSON", s => Json(s, "")),
        ["a number among the items"] = new(HttpStatusCode.BadRequest, "item 1", s => Json(s, $"[{s.Item()},42]"), ItemIndex: 1),
        ["sensorId given twice"] = new(HttpStatusCode.BadRequest, "more than once",
            s => Json(s, $"{{\"sensorId\":{s.Id},\"SENSORID\":{s.OtherId},\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["one bad item after two good ones"] = new(HttpStatusCode.BadRequest, "Item 2",
            s => Json(s, $"[{s.Item(1)},{s.Item(2)},{{\"sensorId\":{s.Id},\"timestamp\":\"soon\"}}]"), ItemIndex: 2),

        // Wrong types and missing fields (400)
        ["sensorId as a string"] = new(HttpStatusCode.BadRequest, "'sensorId' must be a JSON integer",
            s => Json(s, $"{{\"sensorId\":\"{s.Id}\",\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["a fractional sensorId"] = new(HttpStatusCode.BadRequest, "must be an integer",
            s => Json(s, $"{{\"sensorId\":{s.Id}.5,\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["sensorId zero"] = new(HttpStatusCode.BadRequest, "positive", s => Json(s, $"{{\"sensorId\":0,\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["a negative sensorId"] = new(HttpStatusCode.BadRequest, "positive",
            s => Json(s, $"{{\"sensorId\":-{s.Id},\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["a sensorId beyond 64 bits"] = new(HttpStatusCode.BadRequest, "out of range",
            s => Json(s, $"{{\"sensorId\":{s.Id}00000000000000000000,\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["sensorId missing"] = new(HttpStatusCode.BadRequest, "'sensorId' is missing", s => Json(s, $"{{\"timestamp\":{Subject.Epoch(0)}}}"), ItemIndex: 0),
        ["timestamp missing"] = new(HttpStatusCode.BadRequest, "'timestamp' is missing", s => Json(s, $"{{\"sensorId\":{s.Id}}}"), ItemIndex: 0),
        ["timestamp null"] = new(HttpStatusCode.BadRequest, "null", s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":null}}"), ItemIndex: 0),
        ["timestamp as an object"] = new(HttpStatusCode.BadRequest, "an object",
            s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":{{\"seconds\":{Subject.Epoch(0)}}}}}"), ItemIndex: 0),

        // Timestamps (400 unreadable, 422 outside the window)
        ["timestamp \"NaN\""] = new(HttpStatusCode.BadRequest, "not an ISO-8601", s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":\"NaN\"}}"), ItemIndex: 0),
        ["timestamp bare NaN literal"] = new(HttpStatusCode.BadRequest, "not valid heartbeat JSON", s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":NaN}}")),
        ["timestamp 1e400"] = new(HttpStatusCode.BadRequest, "outside the supported date range",
            s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":1e400}}"), ItemIndex: 0),
        ["timestamp after the year 9999"] = new(HttpStatusCode.BadRequest, "outside the supported date range",
            s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":253402300800000}}"), ItemIndex: 0),
        ["timestamp without an offset"] = new(HttpStatusCode.BadRequest, "no UTC offset",
            s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":\"{Subject.Earlier(0):yyyy-MM-ddTHH:mm:ss}\"}}"), ItemIndex: 0),
        ["timestamp 10 minutes in the future"] = new(HttpStatusCode.UnprocessableEntity, "in the future",
            s => Json(s, $"[{s.Item()},{SensorsApi.Heartbeat(s.Id, DateTimeOffset.UtcNow.AddMinutes(10))}]"), ItemIndex: 1),
        ["timestamp 91 days old"] = new(HttpStatusCode.UnprocessableEntity, "old",
            s => Json(s, SensorsApi.Heartbeat(s.Id, DateTimeOffset.UtcNow.AddDays(-91))), ItemIndex: 0),
        ["epoch zero"] = new(HttpStatusCode.UnprocessableEntity, "1970-01-01", s => Json(s, $"{{\"sensorId\":{s.Id},\"timestamp\":0}}"), ItemIndex: 0),

        // Size and media type (413, 415)
        ["a body over 1 MiB"] = new(HttpStatusCode.RequestEntityTooLarge, "1 MiB", s => Json(s, "[" + s.Item() + new string(' ', 1024 * 1024) + "]")),
        ["10,001 heartbeats"] = new(HttpStatusCode.RequestEntityTooLarge, "10000", s => Json(s, Batch(s, 10_001))),
        ["text/plain"] = new(HttpStatusCode.UnsupportedMediaType, "application/json", s => Json(s, s.Item(), "text/plain")),
        ["form-urlencoded"] = new(HttpStatusCode.UnsupportedMediaType, "application/json",
            s => Json(s, $"sensorId={s.Id}&timestamp={Subject.Epoch(0)}", "application/x-www-form-urlencoded")),
        ["JSON declared as latin-1"] = new(HttpStatusCode.UnsupportedMediaType, "application/json", s => Json(s, s.Item(), "application/json; charset=iso-8859-1")),

        // Keys and whose sensor (401, 403)
        ["no key"] = new(HttpStatusCode.Unauthorized, "key", s => Raw(Encoding.UTF8.GetBytes(s.Item()), "application/json", key: null)),
        ["a mistyped key"] = new(HttpStatusCode.Unauthorized, "not known", s => Json(s, s.Item(), key: s.Key[..^1] + (s.Key[^1] == 'A' ? 'B' : 'A'))),
        ["my key for another sensor"] = new(HttpStatusCode.Forbidden, "belongs to sensor",
            s => Json(s, $"[{s.Item()},{s.Item(1, s.OtherId)}]"), ItemIndex: 1),
        ["my key for an unregistered sensor id"] = new(HttpStatusCode.Forbidden, "belongs to sensor",
            s => Json(s, s.Item(0, long.MaxValue)), ItemIndex: 0),
        ["a retired sensor's key"] = new(HttpStatusCode.Forbidden, "retired", s => Json(s, s.Item(0, s.RetiredId), key: s.RetiredKey)),

        // The legacy query-string form
        ["legacy: sensor_id not a number"] = new(HttpStatusCode.BadRequest, "sensor_id", s => Legacy($"sensor_id=abc&timestamp={Subject.Epoch(0)}", s.Key)),
        ["legacy: negative sensor_id"] = new(HttpStatusCode.BadRequest, "positive integer", s => Legacy($"sensor_id=-{s.Id}&timestamp={Subject.Epoch(0)}", s.Key)),
        ["legacy: sensor_id beyond 64 bits"] = new(HttpStatusCode.BadRequest, "positive integer",
            s => Legacy($"sensor_id={s.Id}00000000000000000000&timestamp={Subject.Epoch(0)}", s.Key)),
        ["legacy: sensor_id missing"] = new(HttpStatusCode.BadRequest, "'sensor_id' is required", s => Legacy($"timestamp={Subject.Epoch(0)}", s.Key)),
        ["legacy: timestamp missing"] = new(HttpStatusCode.BadRequest, "'timestamp' is required", s => Legacy($"sensor_id={s.Id}", s.Key)),
        ["legacy: sensor_id given twice"] = new(HttpStatusCode.BadRequest, "2 times",
            s => Legacy($"sensor_id={s.Id}&sensor_id={s.OtherId}&timestamp={Subject.Epoch(0)}", s.Key)),
        ["legacy: timestamp NaN"] = new(HttpStatusCode.BadRequest, "epoch seconds", s => Legacy($"sensor_id={s.Id}&timestamp=NaN", s.Key)),
        ["legacy: timestamp with an exponent"] = new(HttpStatusCode.BadRequest, "epoch seconds", s => Legacy($"sensor_id={s.Id}&timestamp=1.7e9", s.Key)),
        ["legacy: ISO timestamp"] = new(HttpStatusCode.BadRequest, "epoch seconds",
            s => Legacy($"sensor_id={s.Id}&timestamp={Uri.EscapeDataString(Subject.Earlier(0).ToString("O"))}", s.Key)),
        ["legacy: overflowing timestamp"] = new(HttpStatusCode.BadRequest, "outside the supported date range",
            s => Legacy($"sensor_id={s.Id}&timestamp=99999999999999999999999", s.Key)),
        ["legacy: future timestamp"] = new(HttpStatusCode.UnprocessableEntity, "in the future",
            s => Legacy($"sensor_id={s.Id}&timestamp={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}", s.Key)),
        ["legacy: another sensor's id"] = new(HttpStatusCode.Forbidden, "belongs to sensor", s => Legacy($"sensor_id={s.OtherId}&timestamp={Subject.Epoch(0)}", s.Key)),
        ["legacy: a mistyped key"] = new(HttpStatusCode.Unauthorized, "not known", s => Legacy($"sensor_id={s.Id}&timestamp={Subject.Epoch(0)}", "s360s_guess")),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_heartbeat_request_gets_its_documented_status_and_queues_nothing(string name)
    {
        var badCase = Cases[name];
        var needsRetired = name.Contains("retired", StringComparison.Ordinal);
        var subject = await SubjectAsync(needsRetired);

        using var request = badCase.Request(subject);
        using var response = await Api.Ingestion.SendAsync(request);

        var problem = await ProblemAsync(response, badCase.Status);
        Assert.Contains(badCase.DetailMentions.Replace(",", ""), problem.GetProperty("detail").GetString()!.Replace(",", ""), StringComparison.OrdinalIgnoreCase);
        if (badCase.ItemIndex is { } index)
        {
            Assert.Equal(index, problem.GetProperty("itemIndex").GetInt32());
        }
        if (badCase.Status == HttpStatusCode.Unauthorized)
        {
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
        }

        var sentinel = SensorsApi.RecentTime();
        using (var accepted = await Api.PostHeartbeatsAsync(subject.Key, SensorsApi.Heartbeat(subject.Id, sentinel)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        Assert.True(await Poll.UntilAsync(async () => await Api.HeartbeatRowsAsync(subject.Id, sentinel) == 1, StorageDeadline),
            "The sentinel heartbeat was not stored.");
        // The warm-up heartbeats (one per ready sensor) were sent before the sentinel, so they are stored by now too.
        Assert.Equal(2, await Api.HeartbeatRowsAsync(subject.Id));
        Assert.Equal(0, await Api.HeartbeatRowsAsync(subject.OtherId));
        if (needsRetired)
        {
            Assert.Equal(1, await Api.HeartbeatRowsAsync(subject.RetiredId));
        }
    }

    async Task<Subject> SubjectAsync(bool needsRetired)
    {
        var own = await Api.RegisterAsync(SensorsApi.UniqueTag("bad-input"));
        var other = await Api.RegisterAsync(SensorsApi.UniqueTag("bad-input-other"));
        await Api.WaitUntilKeyAcceptedAsync(own.Id, own.Key);
        if (!needsRetired)
        {
            return new Subject(own.Id, own.Key, other.Id, other.Id, other.Key);
        }

        var retired = await Api.RegisterAsync(SensorsApi.UniqueTag("bad-input-retired"));
        await Api.WaitUntilKeyAcceptedAsync(retired.Id, retired.Key);
        using (var retire = await Api.Worker.PostAsync($"/api/sensors/{retired.Id}/retire", null))
        {
            Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        }
        // Probed as text/plain: before the retirement reaches the API that is a 415, so the probe never queues anything.
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await Api.PostHeartbeatsAsync(retired.Key, SensorsApi.Heartbeat(retired.Id, Subject.Earlier(30)), "text/plain");
            return response.StatusCode == HttpStatusCode.Forbidden;
        }, RegistryDeadline), "The retired sensor's key was still accepted after 5 s.");
        return new Subject(own.Id, own.Key, other.Id, retired.Id, retired.Key);
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()), $"No detail: {text}");
        return problem;
    }
}
