using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Bad registrations and CSV imports, sent by an Operator through the gateway: the documented 4xx as problem+json
/// saying what is wrong, and not one sensor row written. Text that merely looks dangerous (quotes, SQL, markup) is
/// valid and is stored exactly as sent.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class BadRegistrationInputTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    SensorsApi _api = null!;
    HttpClient _operator = null!;

    // One token for every case: signing in (PBKDF2, 600,000 rounds) is the slowest step there is.
    static (DistributedApplication App, string Token)? s_operatorToken;

    public async Task InitializeAsync()
    {
        _api = new SensorsApi(fixture.App);
        if (s_operatorToken?.App != fixture.App)
        {
            s_operatorToken = (fixture.App, (await Gateway.CreateApiTokenAsync(fixture.App, "Operator")).Token);
        }
        _operator = Gateway.WithBearer(fixture.App, s_operatorToken.Value.Token);
    }

    public async Task DisposeAsync()
    {
        _operator.Dispose();
        await _api.DisposeAsync();
    }

    Task<long> SensorCountAsync() => _api.ScalarAsync("SELECT count(*) FROM sensors");

    Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return _operator.PostAsync(path, content);
    }

    /// <summary>Each body carries the marker tag (when it has a tag at all), so a stored row would be found by it.</summary>
    public sealed record Registration(string Body, string Mentions, string ContentType = "application/json");

    static string Many(int count, Func<int, string> item) => string.Join(",", Enumerable.Range(0, count).Select(item));

    static readonly Dictionary<string, Func<string, Registration>> Registrations = new()
    {
        ["truncated JSON"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{", "JSON"),
        ["an array instead of an object"] = tag => new($"[{{\"tag\":\"{tag}\"}}]", "JSON"),
        ["an empty body"] = _ => new("", "body"),
        ["tag is a number"] = _ => new("{\"tag\":42}", "tag"),
        ["tag missing"] = _ => new("{\"labels\":{\"site\":\"north\"}}", "tag"),
        ["tag only spaces"] = _ => new("{\"tag\":\"   \"}", "tag"),
        ["tag of 201 characters"] = tag => new($"{{\"tag\":\"{tag}{new string('x', 201)}\"}}", "tag"),
        ["tag with a NUL character"] = tag => new($"{{\"tag\":\"{tag}\\u0000\"}}", "tag"),
        ["tag with a lone surrogate"] = tag => new($"{{\"tag\":\"{tag}\\ud800\"}}", "tag"),
        ["labels as an array"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":[\"site\",\"north\"]}}", "labels"),
        ["a label value that is a number"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{\"rack\":7}}}}", "labels"),
        ["a label key with a quote"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{\"o'brien\":\"x\"}}}}", "labels"),
        ["a label key with SQL"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{\"x; DROP TABLE sensors\":\"x\"}}}}", "labels"),
        ["a label value with a NUL character"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{\"site\":\"a\\u0000b\"}}}}", "labels"),
        ["a label value with a lone surrogate"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{\"site\":\"\\udc00\"}}}}", "labels"),
        ["a label value of 257 characters"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{\"site\":\"{new string('v', 257)}\"}}}}", "labels"),
        ["33 labels"] = tag => new($"{{\"tag\":\"{tag}\",\"labels\":{{{Many(33, i => $"\"k{i}\":\"v\"")}}}}}", "labels"),
        ["expectedIntervalSeconds zero"] = tag => new($"{{\"tag\":\"{tag}\",\"expectedIntervalSeconds\":0}}", "expectedIntervalSeconds"),
        ["expectedIntervalSeconds beyond 32 bits"] = tag => new($"{{\"tag\":\"{tag}\",\"expectedIntervalSeconds\":99999999999}}", "expectedIntervalSeconds"),
        ["graceSeconds negative"] = tag => new($"{{\"tag\":\"{tag}\",\"graceSeconds\":-1}}", "graceSeconds"),
        ["staleAfterSeconds as words"] = tag => new($"{{\"tag\":\"{tag}\",\"staleAfterSeconds\":\"ten minutes\"}}", "staleAfterSeconds"),
        ["text/plain"] = tag => new($"{{\"tag\":\"{tag}\"}}", "application/json", "text/plain"),
    };

    public static TheoryData<string> RegistrationNames => [.. Registrations.Keys];

    [Theory]
    [MemberData(nameof(RegistrationNames))]
    public async Task A_bad_registration_is_refused_with_a_useful_problem_and_stores_nothing(string name)
    {
        var tag = SensorsApi.UniqueTag("bad-registration");
        var bad = Registrations[name](tag);
        var before = await SensorCountAsync();

        using var response = await PostAsync("/api/sensors", Encoding.UTF8.GetBytes(bad.Body), bad.ContentType);

        var expected = bad.ContentType == "application/json" ? HttpStatusCode.BadRequest : HttpStatusCode.UnsupportedMediaType;
        var problem = (await BadHeartbeatInputTests.ProblemAsync(response, expected)).ToString();
        Assert.True(problem.Contains(bad.Mentions, StringComparison.OrdinalIgnoreCase), $"'{bad.Mentions}' not in {problem}");
        Assert.Equal(before, await SensorCountAsync());
        Assert.Equal(0, await _api.ScalarAsync("SELECT count(*) FROM sensors WHERE tag LIKE $1 || '%'", tag));
    }

    public static TheoryData<string> DangerousLookingText =>
    [
        "O'Brien \"quoted\" \\ back`tick",
        "'; DROP TABLE sensors; --",
        "Robert'); DELETE FROM heartbeats WHERE ('1'='1",
        "<script>alert(1)</script><img src=x onerror=alert(2)>",
        "100% _under_ \\% {{ }} ${x}",
    ];

    [Theory]
    [MemberData(nameof(DangerousLookingText))]
    public async Task Quotes_SQL_and_markup_in_tags_and_labels_are_stored_and_read_back_exactly_as_sent(string text)
    {
        var tag = $"{SensorsApi.UniqueTag("literal")} {text}";
        var before = await SensorCountAsync();

        using var created = await _operator.PostAsJsonAsync("/api/sensors", new { tag, labels = new Dictionary<string, string> { ["note"] = text } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await SensorsApi.JsonAsync(created)).GetProperty("id").GetInt64();
        Assert.Equal(before + 1, await SensorCountAsync());
        var detail = await _operator.GetFromJsonAsync<JsonElement>($"/api/sensors/{id}");
        Assert.Equal(tag, detail.GetProperty("tag").GetString());
        Assert.Equal(text, detail.GetProperty("labels").GetProperty("note").GetString());
        // Filters take the text literally: the tag prefix (with its % and _) and the label find exactly this sensor.
        var byTag = await _operator.GetFromJsonAsync<JsonElement>($"/api/sensors?sort=tag&tag={Uri.EscapeDataString(tag)}");
        Assert.Equal([id], byTag.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));
        var byLabel = await _operator.GetFromJsonAsync<JsonElement>($"/api/sensors?tag={Uri.EscapeDataString(tag[..40])}&label={Uri.EscapeDataString("note:" + text)}");
        Assert.Equal([id], byLabel.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));
    }

    [Theory]
    [InlineData("tag=%00")]
    [InlineData("label=site:%00")]
    [InlineData("label=site")]
    [InlineData("state=up;DROP")]
    [InlineData("sort=id;DROP")]
    [InlineData("limit=99999999999")]
    [InlineData("after=not-a-cursor")]
    // Well-formed cursors with a forged key: not a time for a time sort, a NUL for a text sort.
    [InlineData("sort=lastHeartbeat&after=eyJLZXkiOiJub3QgYSB0aW1lIiwiSWQiOjF9")]
    [InlineData("sort=tag&after=eyJLZXkiOiJhXHUwMDAwYiIsIklkIjoxfQ")]
    public async Task A_bad_sensor_list_query_is_refused_with_400(string query)
    {
        using var response = await _operator.GetAsync($"/api/sensors?{query}");
        await BadHeartbeatInputTests.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    /// <summary>Each file starts with a good row: the import must still register nothing.</summary>
    public sealed record Import(byte[] Csv, HttpStatusCode Status, string Mentions, string ContentType = "text/csv");

    static Import Csv(string text, string mentions, HttpStatusCode status = HttpStatusCode.BadRequest) => new(Encoding.UTF8.GetBytes(text), status, mentions);

    static readonly Dictionary<string, Func<string, Import>> Imports = new()
    {
        ["an unterminated quote"] = p => Csv($"tag,site\n{p}ok,north\n\"{p}open,south\n", "line 3"),
        ["too many fields"] = p => Csv($"tag,site\n{p}ok,north\n{p}wide,south,extra\n", "line 3"),
        ["an interval that is not a number"] = p => Csv($"tag,expected_interval_seconds\n{p}ok,30\n{p}bad,NaN\n", "NaN"),
        ["a negative grace"] = p => Csv($"tag,grace_seconds\n{p}ok,5\n{p}bad,-1\n", "line 3"),
        ["an empty tag"] = p => Csv($"tag,site\n{p}ok,north\n,south\n", "line 3"),
        ["a tag repeated in the file"] = p => Csv($"tag\n{p}ok\n{p}ok\n", "line 3"),
        ["a tag with a control character"] = p => Csv($"tag\n{p}ok\n{p}bell\u0007\n", "line 3"),
        ["a label column that is not a valid key"] = p => Csv($"tag,bad key!\n{p}ok,x\n", "bad key!"),
        ["a label value of 257 characters"] = p => Csv($"tag,site\n{p}ok,north\n{p}long,{new string('v', 257)}\n", "line 3"),
        ["invalid UTF-8"] = p => new([.. Encoding.UTF8.GetBytes($"tag\n{p}ok\n{p}"), 0xC3, 0x28, (byte)'\n'], HttpStatusCode.BadRequest, "UTF-8"),
        ["10,001 rows"] = p => Csv("tag\n" + string.Concat(Enumerable.Range(0, 10_001).Select(i => $"{p}{i}\n")), "10000"),
        ["a file over 4 MiB"] = p => Csv($"tag,note\n{p}ok,{new string('n', 4 * 1024 * 1024)}\n", "4 MiB", HttpStatusCode.RequestEntityTooLarge),
        ["JSON instead of CSV"] = p => new(Encoding.UTF8.GetBytes($"[{{\"tag\":\"{p}ok\"}}]"), HttpStatusCode.UnsupportedMediaType, "text/csv", "application/json"),
    };

    public static TheoryData<string> ImportNames => [.. Imports.Keys];

    [Theory]
    [MemberData(nameof(ImportNames))]
    public async Task A_broken_csv_import_is_refused_and_registers_no_row_of_it(string name)
    {
        var prefix = SensorsApi.UniqueTag("bad-csv") + "-";
        var bad = Imports[name](prefix);
        var before = await SensorCountAsync();

        using var response = await PostAsync("/api/sensors/import", bad.Csv, bad.ContentType);

        var problem = (await BadHeartbeatInputTests.ProblemAsync(response, bad.Status)).ToString();
        Assert.True(problem.Replace(",", "").Contains(bad.Mentions.Replace(",", ""), StringComparison.OrdinalIgnoreCase), $"'{bad.Mentions}' not in {problem}");
        Assert.Equal(before, await SensorCountAsync());
        Assert.Equal(0, await _api.ScalarAsync("SELECT count(*) FROM sensors WHERE starts_with(tag, $1)", prefix));
    }

    [Fact]
    public async Task Quotes_SQL_and_markup_in_a_csv_are_imported_exactly_as_written()
    {
        var prefix = SensorsApi.UniqueTag("csv-literal") + "-";
        var tags = new[] { $"{prefix}'; DROP TABLE sensors; --", $"{prefix}<b>bold</b>", $"{prefix}say \"hi\", then leave" };
        var csv = "tag,note\n" + string.Concat(tags.Select(t => $"\"{t.Replace("\"", "\"\"")}\",\"{t.Replace("\"", "\"\"")}\"\n"));

        using var response = await PostAsync("/api/sensors/import", Encoding.UTF8.GetBytes(csv), "text/csv");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        foreach (var tag in tags)
        {
            Assert.Equal(1, await _api.ScalarAsync("SELECT count(*) FROM sensors WHERE tag = $1 AND labels->>'note' = $1", tag));
        }
    }
}
