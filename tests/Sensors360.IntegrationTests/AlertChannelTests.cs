using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Alert channels and rules (Alerting.Service) against real receivers: the SMTP server the fixture started, and an
/// HTTP receiver playing Slack and Teams. Sensors here go down within seconds (the fixture's timings).
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class AlertChannelTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    readonly SensorsApi _api = new(fixture.App);
    WebhookReceiver _receiver = null!;
    readonly List<string> _cleanup = [];

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var path in Enumerable.Reverse(_cleanup))
        {
            using var _ = await _api.Alerting.DeleteAsync(path);
        }
        await _receiver.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Sensors_of_one_site_going_down_together_reach_the_email_channel_as_one_message_naming_each()
    {
        var site = SensorsApi.UniqueTag("site");
        var recipient = $"{site}@example.test";
        var channel = await CreateChannelAsync(new { name = site, kind = "email", recipients = new[] { recipient } });
        await CreateRuleAsync(new { name = site, events = new[] { "down" }, labels = new Dictionary<string, string> { ["site"] = site }, channelIds = new[] { channel }, groupWindowSeconds = 3 });
        // A sensor elsewhere goes down meanwhile: the selector keeps it out.
        var (otherId, otherKey) = await _api.RegisterAsync(SensorsApi.UniqueTag("elsewhere"), new { site = site + "-other" });

        var tags = Enumerable.Range(1, 6).Select(i => $"{site}-{i}").ToList();
        var sensors = await Task.WhenAll(tags.Select(tag => _api.RegisterAsync(tag, new { site })));
        await Task.WhenAll(sensors.Select(s => _api.WaitUntilKeyAcceptedAsync(s.Id, s.Key)));
        await _api.WaitUntilKeyAcceptedAsync(otherId, otherKey);

        var mail = await fixture.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == recipient), Deadline);
        Assert.NotNull(mail);
        Assert.Equal("Sensors 360: 6 sensors down", mail.Subject);
        Assert.All(tags, tag => Assert.Contains(tag + " (#", mail.TextBody));
        Assert.DoesNotContain($"(#{otherId})", mail.TextBody);

        // Recorded once the SMTP server has taken it.
        JsonElement deliveries = default;
        Assert.True(await Poll.UntilAsync(async () =>
            (deliveries = await _api.Alerting.GetFromJsonAsync<JsonElement>($"/api/alerts/deliveries?channelId={channel}")).GetArrayLength() > 0,
            Deadline), "the delivery was not recorded");
        var delivery = Assert.Single(deliveries.EnumerateArray());
        Assert.True(delivery.GetProperty("succeeded").GetBoolean());
        Assert.Equal(6, delivery.GetProperty("alerts").GetInt32());
        // Counted once the delivery is recorded: the six went out together, not one message each.
        Assert.Single(fixture.Smtp.Received, m => m.To.Mailboxes.Any(a => a.Address == recipient));
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("teams")]
    public async Task A_test_message_reaches_a_chat_channel_in_its_format(string kind)
    {
        var path = $"/{kind}/{Guid.NewGuid():N}";
        var channel = await CreateChannelAsync(new { name = SensorsApi.UniqueTag(kind), kind, url = _receiver.Url(path) });

        using var test = await _api.Alerting.PostAsync($"/api/alerts/channels/{channel}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);

        Assert.True(await Poll.UntilAsync(() => Task.FromResult(_receiver.At(path).Count > 0), Deadline), "the chat receiver got nothing");
        var body = Assert.Single(_receiver.At(path)).Json;
        if (kind == "slack")
        {
            Assert.Contains("Test message for channel", body.GetProperty("text").GetString());
        }
        else
        {
            var card = body.GetProperty("attachments")[0];
            Assert.Equal("application/vnd.microsoft.card.adaptive", card.GetProperty("contentType").GetString());
            Assert.Equal("AdaptiveCard", card.GetProperty("content").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task A_failing_channel_is_retried_with_back_off_then_given_up_and_the_failure_is_shown()
    {
        var path = $"/slack/{Guid.NewGuid():N}";
        _receiver.Answer(path, (_, _) => Task.FromResult(503));
        var channel = await CreateChannelAsync(new { name = SensorsApi.UniqueTag("failing"), kind = "slack", url = _receiver.Url(path) });

        using var test = await _api.Alerting.PostAsync($"/api/alerts/channels/{channel}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);

        JsonElement failed = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            var list = await _api.Alerting.GetFromJsonAsync<JsonElement>($"/api/alerts/deliveries?failed=true&channelId={channel}");
            return list.GetArrayLength() == 1 && (failed = list[0]).ValueKind == JsonValueKind.Object;
        }, Deadline), "no failed delivery was recorded");
        // The fixture allows 3 attempts.
        Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
        Assert.Contains("503", failed.GetProperty("error").GetString());
        Assert.Equal(3, _receiver.At(path).Count);

        var channels = await _api.Alerting.GetFromJsonAsync<JsonElement>("/api/alerts/channels");
        var view = channels.EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == channel);
        Assert.Equal(1, view.GetProperty("deliveriesFailed").GetInt64());
        Assert.Contains("503", view.GetProperty("lastError").GetString());
        Assert.Equal(0, view.GetProperty("pending").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"x","kind":"pager"}""", "kind", "not a kind of channel")]
    [InlineData("""{"name":"x","kind":"email","recipients":["not an address"]}""", "recipients", "Not an email address")]
    [InlineData("""{"name":"x","kind":"email","recipients":[]}""", "recipients", "At least one email address")]
    [InlineData("""{"name":"x","kind":"slack","url":"ftp://hooks.example/x"}""", "url", "not supported")]
    [InlineData("""{"name":"","kind":"slack","url":"https://hooks.example/x"}""", "name", "name of 1 to")]
    public async Task An_invalid_channel_is_refused_with_400_naming_the_field(string json, string field, string mentioned)
    {
        using var response = await _api.Alerting.PostAsync("/api/alerts/channels", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await SensorsApi.JsonAsync(response);
        Assert.Contains(mentioned, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task A_rule_naming_an_unknown_channel_is_refused_and_a_channel_in_use_cannot_be_deleted()
    {
        using var unknown = await _api.Alerting.PostAsJsonAsync("/api/alerts/rules", new { name = SensorsApi.UniqueTag("rule"), channelIds = new[] { long.MaxValue } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no alert channel", (await SensorsApi.JsonAsync(unknown)).GetProperty("errors").GetProperty("channelIds")[0].GetString());

        var channel = await CreateChannelAsync(new { name = SensorsApi.UniqueTag("used"), kind = "slack", url = _receiver.Url("/unused") });
        using var spaced = await _api.Alerting.PostAsync("/api/alerts/rules", new StringContent(
            $$"""{"name":"spaced","labels":{"site":"a","site ":"b"},"channelIds":[{{channel}}]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, spaced.StatusCode);
        Assert.Contains("Label 'site '", (await SensorsApi.JsonAsync(spaced)).GetProperty("errors").GetProperty("labels")[0].GetString());

        // A selector follows the rules of sensors' labels, untrimmed: a key no sensor can have is refused (above, a
        // trailing space), one any can is taken.
        using var badKey = await _api.Alerting.PostAsJsonAsync("/api/alerts/rules",
            new { name = SensorsApi.UniqueTag("bad-key"), labels = new Dictionary<string, string> { ["site name"] = "a" }, channelIds = new[] { channel } });
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("Label 'site name'", (await SensorsApi.JsonAsync(badKey)).GetProperty("errors").GetProperty("labels")[0].GetString());
        var longValue = new string('v', SensorLabels.MaxValueLength);
        using var sensorLike = await _api.Alerting.PostAsJsonAsync("/api/alerts/rules",
            new { name = SensorsApi.UniqueTag("long-value"), labels = new Dictionary<string, string> { ["plant/area"] = longValue }, channelIds = new[] { channel } });
        Assert.Equal(HttpStatusCode.Created, sensorLike.StatusCode);
        using var removed = await _api.Alerting.DeleteAsync(sensorLike.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);

        var rule = SensorsApi.UniqueTag("rule");
        await CreateRuleAsync(new { name = rule, channelIds = new[] { channel } });

        using var delete = await _api.Alerting.DeleteAsync($"/api/alerts/channels/{channel}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains(rule, (await SensorsApi.JsonAsync(delete)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Channel_changes_are_in_the_audit_log_the_gateway_serves()
    {
        var name = SensorsApi.UniqueTag("audited");
        var channel = await CreateChannelAsync(new { name, kind = "slack", url = _receiver.Url("/audited") });
        using var admin = Gateway.WithBearer(fixture.App, await Gateway.AdminTokenAsync(fixture.App));

        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?action=alert-channel.create&target=alert%20channel%20{channel}");

        var entry = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Contains(name, entry.GetProperty("details").GetRawText());
        Assert.DoesNotContain("/audited", entry.GetProperty("details").GetRawText()); // the chat URL is a secret
    }

    async Task<long> CreateChannelAsync(object channel)
    {
        using var response = await _api.Alerting.PostAsJsonAsync("/api/alerts/channels", channel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await SensorsApi.JsonAsync(response)).GetProperty("id").GetInt64();
        _cleanup.Add($"/api/alerts/channels/{id}");
        return id;
    }

    async Task CreateRuleAsync(object rule)
    {
        using var response = await _api.Alerting.PostAsJsonAsync("/api/alerts/rules", rule);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        _cleanup.Add($"/api/alerts/rules/{(await SensorsApi.JsonAsync(response)).GetProperty("id").GetInt64()}");
    }
}
