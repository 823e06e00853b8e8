using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Webhook targets in private, loopback, link-local and other non-public ranges: refused at registration when the URL
/// names such an address. This system allows 127.0.0.0/8 (Alerting:Webhooks:AllowedNetworks), as WebhookTests need;
/// a host name that resolves to a refused address is refused when a delivery connects (HttpsTests' system).
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class WebhookTargetTests(SensorsAppFixture fixture)
{
    public static TheoryData<string> RefusedTargets =>
    [
        "http://10.1.2.3/hooks",
        "http://172.16.0.10/hooks",
        "http://192.168.1.20:8080/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hooks",
        "http://0.0.0.0:9/hooks",
        "http://[::1]:9/hooks",
        "http://[fe80::1]/hooks",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[::ffff:10.1.2.3]/hooks",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "https://192.168.0.1/hooks",
    ];

    [Theory]
    [MemberData(nameof(RefusedTargets))]
    public async Task A_target_in_a_private_loopback_or_link_local_range_is_refused_with_400_and_not_stored(string url)
    {
        await using var api = new SensorsApi(fixture.App);

        using var response = await api.Alerting.PostAsJsonAsync("/api/webhooks", new { url });
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty("url")[0].GetString()!;
        Assert.Contains("private, loopback, link-local or otherwise non-public range", error);
        Assert.Contains("Alerting:Webhooks:AllowedNetworks", error);
        using var list = await api.Alerting.GetAsync("/api/webhooks");
        Assert.DoesNotContain((await SensorsApi.JsonAsync(list)).EnumerateArray(), w => w.GetProperty("url").GetString() == new Uri(url).AbsoluteUri);
    }

    [Fact]
    public async Task A_target_in_an_allowed_network_is_accepted()
    {
        await using var api = new SensorsApi(fixture.App);

        using var response = await api.Alerting.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/allowed-by-this-system" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var _ = await api.Alerting.DeleteAsync(response.Headers.Location);
    }
}
