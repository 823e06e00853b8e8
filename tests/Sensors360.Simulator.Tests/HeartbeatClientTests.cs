using System.Net.Http.Headers;
using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class HeartbeatClientTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 5, 0, 123, TimeSpan.Zero);

    [Fact]
    public async Task The_json_form_posts_the_sensor_id_and_an_iso_utc_timestamp_with_the_key_header()
    {
        var (client, handler) = Client(_ => FakeHttpHandler.Answer(HttpStatusCode.Accepted, """{"accepted":1,"batchId":"b1"}"""));

        var outcome = await client.SendAsync(42, "s360s_abc", Now, CancellationToken.None);

        Assert.Equal(new HeartbeatOutcome(HeartbeatResult.Accepted, 202), outcome);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://ingestion.test/api/heartbeats", request.Uri.ToString());
        Assert.Equal("s360s_abc", request.ApiKey);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("""{"sensorId":42,"timestamp":"2026-11-28T10:05:00.123Z"}""", request.Body);
    }

    [Fact]
    public async Task The_legacy_form_puts_sensor_id_and_epoch_seconds_in_the_query_and_sends_no_body()
    {
        var (client, handler) = Client(_ => FakeHttpHandler.Answer(HttpStatusCode.Accepted), o => o.Legacy = true);

        var outcome = await client.SendAsync(42, "s360s_abc", Now.ToOffset(TimeSpan.FromHours(5)), CancellationToken.None);

        Assert.Equal(HeartbeatResult.Accepted, outcome.Result);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://ingestion.test/api/v0/heartbeat?sensor_id=42&timestamp=1795860300", request.Uri.ToString());
        Assert.Equal("s360s_abc", request.ApiKey);
        Assert.Null(request.Body);
    }

    [Fact]
    public void A_base_url_with_a_path_keeps_it()
    {
        using var request = HeartbeatRequests.Create(new Uri("http://gateway.test/ingest"), 7, "k", Now, legacy: false);

        Assert.Equal("http://gateway.test/ingest/api/heartbeats", request.RequestUri!.ToString());
    }

    [Fact]
    public async Task Unauthorized_and_forbidden_are_told_apart_with_the_problem_detail()
    {
        var status = HttpStatusCode.Unauthorized;
        var (client, _) = Client(_ => FakeHttpHandler.Problem(status, "Unknown key", "No sensor has this key."));

        var unauthorized = await client.SendAsync(42, "k", Now, CancellationToken.None);
        status = HttpStatusCode.Forbidden;
        var forbidden = await client.SendAsync(42, "k", Now, CancellationToken.None);

        Assert.Equal(new HeartbeatOutcome(HeartbeatResult.UnknownKey, 401, null, "401 Unauthorized: No sensor has this key."), unauthorized);
        Assert.Equal(new HeartbeatOutcome(HeartbeatResult.Forbidden, 403, null, "403 Forbidden: No sensor has this key."), forbidden);
    }

    [Fact]
    public async Task Too_many_requests_carries_the_retry_after_delay()
    {
        var (client, _) = Client(_ =>
        {
            var response = FakeHttpHandler.Problem(HttpStatusCode.TooManyRequests, "Too many heartbeats", "Slow down.");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
            return response;
        });

        var outcome = await client.SendAsync(42, "k", Now, CancellationToken.None);

        Assert.Equal(HeartbeatResult.RateLimited, outcome.Result);
        Assert.Equal(TimeSpan.FromSeconds(120), outcome.RetryAfter);
    }

    [Fact]
    public async Task Service_unavailable_understands_a_retry_after_date()
    {
        var time = new FakeTimeProvider(Now);
        var (client, _) = Client(_ =>
        {
            var response = FakeHttpHandler.Answer(HttpStatusCode.ServiceUnavailable);
            response.Headers.TryAddWithoutValidation("Retry-After", "Sat, 28 Nov 2026 10:05:30 GMT");
            return response;
        }, time: time);

        var outcome = await client.SendAsync(42, "k", Now, CancellationToken.None);

        Assert.Equal(HeartbeatResult.Unavailable, outcome.Result);
        // HTTP dates have whole seconds: 10:05:30 is 29.877 s after 10:05:00.123.
        Assert.Equal(TimeSpan.FromMilliseconds(29_877), outcome.RetryAfter);
        Assert.Equal("503 Service Unavailable", outcome.Detail);
    }

    [Fact]
    public async Task Other_refusals_keep_the_status_and_the_problem_detail()
    {
        var (client, _) = Client(_ => FakeHttpHandler.Problem(HttpStatusCode.UnprocessableEntity, "Unprocessable heartbeat", "'timestamp' is 3 days in the future."));

        var outcome = await client.SendAsync(42, "k", Now, CancellationToken.None);

        Assert.Equal(new HeartbeatOutcome(HeartbeatResult.Rejected, 422, null, "422 Unprocessable Entity: 'timestamp' is 3 days in the future."), outcome);
    }

    [Fact]
    public async Task No_answer_is_a_failure_not_an_exception()
    {
        var (client, _) = Client(_ => throw new HttpRequestException("Connection refused (ingestion.test:80)"));

        var outcome = await client.SendAsync(42, "k", Now, CancellationToken.None);

        Assert.Equal(new HeartbeatOutcome(HeartbeatResult.Failed, null, null, "Connection refused (ingestion.test:80)"), outcome);
    }

    [Fact]
    public async Task A_timeout_is_a_failure_but_shutting_down_cancels()
    {
        var (client, _) = Client(_ => throw new TaskCanceledException("timeout"));
        Assert.Equal(HeartbeatResult.Failed, (await client.SendAsync(42, "k", Now, CancellationToken.None)).Result);

        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(42, "k", Now, stopping.Token));
    }

    private static (HeartbeatClient Client, FakeHttpHandler Handler) Client(
        Func<HttpRequestMessage, HttpResponseMessage> respond, Action<SimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var handler = new FakeHttpHandler((request, _) => respond(request));
        return (new HeartbeatClient(new FakeHttpClientFactory(handler), Wrap(Options(configure)), time ?? new FakeTimeProvider(Now)), handler);
    }
}
