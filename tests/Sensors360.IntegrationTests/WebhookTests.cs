using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sensors360.IntegrationTests;

/// <summary>Webhooks end to end: the worker's API, a real state change on the bus, and a real HTTP receiver.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class WebhookTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    static readonly TimeSpan DeliveryDeadline = TimeSpan.FromSeconds(30);
    const int DefaultMaxAttempts = 6;

    SensorsApi _api = null!;
    WebhookReceiver _receiver = null!;
    readonly List<long> _created = [];

    public async Task InitializeAsync()
    {
        _api = new SensorsApi(fixture.App);
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var id in _created)
        {
            using var _ = await _api.Alerting.DeleteAsync($"/api/webhooks/{id}");
        }
        await _receiver.DisposeAsync();
        await _api.DisposeAsync();
    }

    async Task<(long Id, string Secret)> CreateWebhookAsync(string path, params string[] events)
    {
        using var response = await _api.Alerting.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url(path), events });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await SensorsApi.JsonAsync(response);
        var id = body.GetProperty("id").GetInt64();
        _created.Add(id);
        Assert.Equal($"/api/webhooks/{id}", response.Headers.Location?.ToString());
        Assert.Equal(_receiver.Url(path), body.GetProperty("url").GetString());
        Assert.Equal(events, body.GetProperty("events").EnumerateArray().Select(e => e.GetString()!));
        return (id, body.GetProperty("secret").GetString()!);
    }

    /// <summary>Registers a sensor and posts heartbeats until one is accepted: the sensor goes new → up.</summary>
    async Task<long> SensorThatCameUpAsync(string name)
    {
        var (id, key) = await _api.RegisterAsync(SensorsApi.UniqueTag(name));
        await _api.WaitUntilKeyAcceptedAsync(id, key);
        return id;
    }

    async Task<JsonElement> WebhookAsync(long id)
    {
        using var response = await _api.Alerting.GetAsync($"/api/webhooks/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await SensorsApi.JsonAsync(response);
    }

    async Task<JsonElement> WebhookEventuallyAsync(long id, Func<JsonElement, bool> condition, string because)
    {
        JsonElement last = default;
        Assert.True(await Poll.UntilAsync(async () => condition(last = await WebhookAsync(id)), DeliveryDeadline),
            $"{because}; last seen: {last}");
        return last;
    }

    static int? Status(JsonElement webhook) =>
        webhook.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Null ? null : webhook.GetProperty("lastStatusCode").GetInt32();

    static void AssertSigned(WebhookReceiver.Request request, string secret)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{request.Timestamp}.{request.Body}")));
        Assert.Equal(expected, request.Signature);
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(request.Timestamp, CultureInfo.InvariantCulture));
        Assert.InRange(sent, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    /// <summary>
    /// What every delivery carries: signed with <paramref name="secret"/>, JSON, its event named alike in the header and
    /// the body's type, the body's deliveryId the header's. Returns the body's data.
    /// </summary>
    static JsonElement AssertEnvelope(WebhookReceiver.Request delivery, string secret, string type)
    {
        AssertSigned(delivery, secret);
        Assert.Equal(type, delivery.Event);
        Assert.Equal("application/json", delivery.ContentType?.Split(';')[0]);
        Assert.Equal(type, delivery.Json.GetProperty("type").GetString());
        Assert.Equal(delivery.DeliveryId, delivery.Json.GetProperty("deliveryId").GetString());
        return delivery.Json.GetProperty("data");
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    [Fact]
    public async Task A_sensor_coming_up_is_delivered_signed_to_a_webhook_for_up_and_not_to_one_for_down()
    {
        var up = await CreateWebhookAsync("/up", "up");
        var down = await CreateWebhookAsync("/down", "down");

        var sensorId = await SensorThatCameUpAsync("hooked");

        Assert.True(await Poll.UntilAsync(() => Task.FromResult(_receiver.For("/up", sensorId).Count > 0), DeliveryDeadline),
            "The up transition never reached the webhook.");
        var delivery = Assert.Single(_receiver.For("/up", sensorId));
        var data = AssertEnvelope(delivery, up.Secret, "stateChanged");
        Assert.StartsWith("hooked-", data.GetProperty("tag").GetString());
        Assert.Equal("new", data.GetProperty("from").GetString());
        Assert.Equal("up", data.GetProperty("to").GetString());
        Assert.True(data.GetProperty("at").TryGetDateTimeOffset(out _));
        Assert.True(data.GetProperty("lastHeartbeatAt").TryGetDateTimeOffset(out _));

        var status = await WebhookEventuallyAsync(up.Id, w => Status(w) == 200 && w.GetProperty("deliveriesSucceeded").GetInt64() >= 1,
            "The webhook never showed a successful delivery");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("lastError").ValueKind);
        Assert.True(status.GetProperty("lastSuccessAt").TryGetDateTimeOffset(out _));
        // The sensor may well go down meanwhile (its stale threshold here is 3 s) and that reaches /down; the up never does.
        Assert.All(_receiver.For("/down", sensorId), d => Assert.Equal("down", d.Json.GetProperty("data").GetProperty("to").GetString()));

        var list = await _api.Alerting.GetStringAsync("/api/webhooks");
        Assert.Contains($"\"id\":{up.Id},", list);
        Assert.DoesNotContain(up.Secret, list);
        Assert.DoesNotContain("secret", list, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_sensor_at_risk_on_the_bus_is_delivered_signed_to_at_risk_webhooks_only_not_to_one_for_all_state_changes_or_for_down()
    {
        var atRisk = await CreateWebhookAsync("/at-risk", "at-risk");
        await CreateWebhookAsync("/everything");
        await CreateWebhookAsync("/down-only", "down");
        var (sensorId, _) = await _api.RegisterAsync(SensorsApi.UniqueTag("at-risk"));
        var at = DateTimeOffset.UtcNow;
        var prediction = new Sensors360.Contracts.SensorAtRisk(sensorId, $"pump-{sensorId}", at, 0.82, 0.97,
            at.AddDays(1), at.AddDays(4), ["interval up 40% in 6 h", "3 gaps over 5× the expected interval"]);

        var bus = await AppBus.CreateAsync(fixture.App);
        await bus.StartAsync();
        try
        {
            await bus.Publish(prediction);
        }
        finally
        {
            await bus.StopAsync();
        }

        await WebhookEventuallyAsync(atRisk.Id, w => w.GetProperty("deliveriesSucceeded").GetInt64() >= 1,
            "The at-risk webhook never showed a successful delivery");
        var delivery = Assert.Single(_receiver.For("/at-risk", sensorId));
        var data = AssertEnvelope(delivery, atRisk.Secret, "sensorAtRisk");
        Assert.Equal(prediction.Tag, data.GetProperty("tag").GetString());
        Assert.Equal(0.82, data.GetProperty("risk7d").GetDouble());
        Assert.Equal(0.97, data.GetProperty("risk30d").GetDouble());
        Assert.Equal(at, data.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(at.AddDays(1), data.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(at.AddDays(4), data.GetProperty("windowEnd").GetDateTimeOffset());
        Assert.Equal(prediction.Reasons, data.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!));

        // Targets of one message are delivered concurrently: by now a delivery to the others would have arrived too.
        // A webhook created before predictions existed (no events: every state change) keeps getting only those.
        Assert.Empty(_receiver.For("/everything", sensorId));
        Assert.Empty(_receiver.For("/down-only", sensorId));
    }

    [Fact]
    public async Task A_target_answering_500_twice_gets_a_third_attempt_with_the_same_delivery_id_and_ends_with_200()
    {
        _receiver.Answer("/flaky", (_, attempt) => Task.FromResult(attempt <= 2 ? 500 : 200));
        var flaky = await CreateWebhookAsync("/flaky", "up");

        var sensorId = await SensorThatCameUpAsync("flaky");

        var status = await WebhookEventuallyAsync(flaky.Id, w => Status(w) == 200 && w.GetProperty("deliveriesSucceeded").GetInt64() >= 1,
            "The third attempt never succeeded");
        var attempts = _receiver.For("/flaky", sensorId);
        Assert.Equal([500, 500, 200], attempts.Select(a => a.AnsweredWith));
        Assert.Single(attempts.Select(a => a.DeliveryId).Distinct());
        Assert.All(attempts, a => AssertSigned(a, flaky.Secret));
        Assert.Equal(0, status.GetProperty("deliveriesFailed").GetInt64());
    }

    [Fact]
    public async Task A_target_that_keeps_failing_gets_every_attempt_and_one_answering_410_gets_one_and_both_count_a_failed_delivery()
    {
        _receiver.Answer("/unavailable", (_, _) => Task.FromResult(503));
        _receiver.Answer("/gone", (_, _) => Task.FromResult(410));
        var unavailable = await CreateWebhookAsync("/unavailable", "up");
        var gone = await CreateWebhookAsync("/gone", "up");

        var sensorId = await SensorThatCameUpAsync("failing");

        var unavailableStatus = await WebhookEventuallyAsync(unavailable.Id, w => w.GetProperty("deliveriesFailed").GetInt64() >= 1,
            "The failing delivery was never given up");
        Assert.Equal(503, Status(unavailableStatus));
        Assert.Contains("503", unavailableStatus.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, unavailableStatus.GetProperty("lastSuccessAt").ValueKind);
        Assert.Equal(DefaultMaxAttempts, _receiver.For("/unavailable", sensorId).Count);
        Assert.Single(_receiver.For("/unavailable", sensorId).Select(a => a.DeliveryId).Distinct());

        var goneStatus = await WebhookEventuallyAsync(gone.Id, w => w.GetProperty("deliveriesFailed").GetInt64() >= 1,
            "The 410 was never recorded as a failed delivery");
        Assert.Equal(410, Status(goneStatus));
        Assert.Single(_receiver.For("/gone", sensorId));
    }

    [Fact]
    public async Task A_slow_target_does_not_hold_up_the_other_targets_of_the_same_change()
    {
        var fastArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowWasPassed = false;
        _receiver.Answer("/slow", async (_, _) =>
        {
            slowWasPassed = await Task.WhenAny(fastArrived.Task, Task.Delay(TimeSpan.FromSeconds(5))) == fastArrived.Task;
            return 200;
        });
        _receiver.Answer("/fast", (_, _) =>
        {
            fastArrived.TrySetResult();
            return Task.FromResult(200);
        });
        await CreateWebhookAsync("/slow", "up");
        await CreateWebhookAsync("/fast", "up");

        var sensorId = await SensorThatCameUpAsync("slow");

        Assert.True(await Poll.UntilAsync(() => Task.FromResult(_receiver.For("/slow", sensorId).Count > 0), DeliveryDeadline),
            "The slow target never got its delivery.");
        Assert.True(slowWasPassed, "The fast target got nothing while the slow one was still answering.");
        Assert.Single(_receiver.For("/fast", sensorId));
    }

    [Fact]
    public async Task A_webhook_for_all_events_is_created_with_a_secret_shown_once_then_deleted()
    {
        using var created = await _api.Alerting.PostAsJsonAsync("/api/webhooks", new { url = "https://receiver.example/hooks/all" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await SensorsApi.JsonAsync(created);
        var id = body.GetProperty("id").GetInt64();
        Assert.Empty(body.GetProperty("events").EnumerateArray());
        Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", body.GetProperty("secret").GetString());
        Assert.True(body.GetProperty("createdAt").TryGetDateTimeOffset(out _));

        var fetched = await WebhookAsync(id);
        Assert.False(fetched.TryGetProperty("secret", out _));
        Assert.Equal(0, fetched.GetProperty("deliveriesFailed").GetInt64());

        using var deleted = await _api.Alerting.DeleteAsync($"/api/webhooks/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _api.Alerting.GetAsync($"/api/webhooks/{id}");
        await ProblemAsync(gone, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/hooks/sensors", null, "url", "absolute")]
    [InlineData("hooks/sensors", null, "url", "absolute")]
    [InlineData("ftp://receiver.example/hooks", null, "url", "ftp")]
    [InlineData("https://user:password@receiver.example/hooks", null, "url", "password")]
    [InlineData("https://receiver.example/hooks", "sideways", "events", "sideways")]
    [InlineData("https://receiver.example/hooks", "at_risk", "events", "at-risk")]
    public async Task An_invalid_webhook_is_refused_with_400_naming_the_field(string url, string? badEvent, string field, string mentioned)
    {
        string[] events = badEvent is null ? ["up"] : ["up", badEvent];

        using var response = await _api.Alerting.PostAsJsonAsync("/api/webhooks", new { url, events });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToArray();
        Assert.Contains(messages, m => m!.Contains(mentioned, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Deleting_or_reading_an_unknown_webhook_answers_404()
    {
        using var deleted = await _api.Alerting.DeleteAsync($"/api/webhooks/{long.MaxValue}");
        Assert.Contains(long.MaxValue.ToString(CultureInfo.InvariantCulture),
            (await ProblemAsync(deleted, HttpStatusCode.NotFound)).GetProperty("detail").GetString());

        using var read = await _api.Alerting.GetAsync($"/api/webhooks/{long.MaxValue}");
        await ProblemAsync(read, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("webhooks")]
    [InlineData("webhooks-at-risk")]
    public async Task Deliveries_have_their_own_durable_queue(string queue)
    {
        using var management = await fixture.App.CreateManagementClientAsync();

        using var response = await management.GetAsync($"/api/queues/%2F/{queue}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await SensorsApi.JsonAsync(response)).GetProperty("durable").GetBoolean());
    }
}

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) in the test process: records every request and answers
/// 200, or what <see cref="Answer"/> says for a path.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Request(
        string Path, string? Event, string? DeliveryId, string Timestamp, string? Signature, string? ContentType,
        string Body, JsonElement Json, int Attempt, int AnsweredWith);

    /// <summary>Decides the status code from the request and its attempt number (1-based, per path and delivery id).</summary>
    public delegate Task<int> Answering(Request request, int attempt);

    readonly WebApplication _app;
    readonly ConcurrentQueue<Request> _received = new();
    readonly ConcurrentDictionary<string, Answering> _answers = new();
    readonly ConcurrentDictionary<(string Path, string? DeliveryId), int> _attempts = new();

    WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public string Url(string path) => BaseUrl + path;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/{**path}", receiver.ReceiveAsync);
        await receiver._app.StartAsync();
        receiver.BaseUrl = receiver._app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
        return receiver;
    }

    public void Answer(string path, Answering answer) => _answers[path] = answer;

    /// <summary>Every request to <paramref name="path"/>, in arrival order.</summary>
    public IReadOnlyList<Request> At(string path) => [.. _received.Where(r => r.Path == path)];

    /// <summary>Requests to <paramref name="path"/> about one sensor, in arrival order.</summary>
    public IReadOnlyList<Request> For(string path, long sensorId) =>
        [.. _received.Where(r => r.Path == path && r.Json.TryGetProperty("data", out var data)
            && data.TryGetProperty("sensorId", out var id) && id.GetInt64() == sensorId)];

    async Task ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "";
        var headers = context.Request.Headers;
        var deliveryId = headers["X-Sensors360-Delivery"].FirstOrDefault();
        var attempt = _attempts.AddOrUpdate((path, deliveryId), 1, (_, n) => n + 1);
        var request = new Request(path, headers["X-Sensors360-Event"].FirstOrDefault(), deliveryId,
            headers["X-Sensors360-Timestamp"].FirstOrDefault() ?? "", headers["X-Sensors360-Signature"].FirstOrDefault(),
            context.Request.ContentType, body, JsonDocument.Parse(body).RootElement.Clone(), attempt, 0);

        var status = _answers.TryGetValue(path, out var answer) ? await answer(request, attempt) : 200;
        _received.Enqueue(request with { AnsweredWith = status });
        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
