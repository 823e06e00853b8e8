using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Behind the two front doors every HTTP listener answers only Sensors 360's own services, each with its own key and
/// only on the routes it needs; a caller that is merely on the same network gets 401, whatever it claims to be.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class ServiceAuthenticationTests(SensorsAppFixture fixture)
{
    static readonly string[] PublicDoors = ["realtime-gateway", "ingestion-api"];

    static readonly string[] Paths =
    [
        "/", "/index.html", "/sensors/1", "/api/sensors", "/api/sensors/1", "/api/stats/fleet", "/api/collector-keys",
        "/api/webhooks", "/api/alerts/channels", "/api/maintenance", "/internal/credentials/sensors", "/internal/credentials/collectors", "/openapi/v1.json",
    ];

    static readonly string?[] HostHeaders = [null, "localhost", "127.0.0.1", "monitor-worker", "alerting-service", "dashboard-web", "realtime-gateway"];

    readonly DistributedApplication _app = fixture.App;

    /// <summary>Every HTTP endpoint of the system's own services other than the front doors.</summary>
    IEnumerable<(string Resource, Uri Address)> InnerListeners() =>
        _app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>()
            .Where(project => !PublicDoors.Contains(project.Name))
            .SelectMany(project => project.Annotations.OfType<EndpointAnnotation>()
                .Where(endpoint => endpoint.UriScheme is "http" or "https")
                .Select(endpoint => (project.Name, _app.GetEndpoint(project.Name, endpoint.Name))));

    [Fact]
    public async Task Every_listener_behind_the_front_doors_refuses_a_caller_without_a_service_key_whatever_its_Host_header()
    {
        var listeners = InnerListeners().ToList();
        Assert.Contains(listeners, l => l.Resource == "monitor-worker");
        Assert.Contains(listeners, l => l.Resource == "alerting-service");
        Assert.Contains(listeners, l => l.Resource == "dashboard-web");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (resource, address) in listeners)
        {
            foreach (var path in Paths)
            {
                foreach (var host in HostHeaders)
                {
                    foreach (var authorization in new[] { null, "Service not-a-key-of-any-service", "Bearer " + ServiceKeys.Gateway })
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, path));
                        if (host is not null)
                        {
                            request.Headers.Host = host;
                        }
                        if (authorization is not null)
                        {
                            request.Headers.TryAddWithoutValidation("Authorization", authorization);
                        }
                        using var response = await http.SendAsync(request);
                        var what = $"{resource} GET {path} (Host {host ?? "as addressed"}, Authorization {authorization ?? "none"})";
                        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
                        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                        Assert.Contains("Service", response.Headers.WwwAuthenticate.ToString());
                    }
                }
            }
            // Writes too: a registration or a collector key without a service key creates nothing.
            using var register = await http.PostAsJsonAsync(new Uri(address, "/api/sensors"), new { tag = SensorsApi.UniqueTag("unauthenticated") });
            Assert.Equal(HttpStatusCode.Unauthorized, register.StatusCode);
            using var collector = await http.PostAsJsonAsync(new Uri(address, "/api/collector-keys"), new { name = SensorsApi.UniqueTag("unauthenticated") });
            Assert.Equal(HttpStatusCode.Unauthorized, collector.StatusCode);
        }
    }

    [Fact]
    public async Task Health_probes_answer_without_a_key()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (resource, address) in InnerListeners())
        {
            foreach (var path in new[] { "/health", "/alive" })
            {
                using var response = await http.GetAsync(new Uri(address, path));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{resource} {path}: {(int)response.StatusCode}");
            }
        }
    }

    [Theory]
    [InlineData(ServiceKeys.Gateway, "/api/stats", HttpStatusCode.OK)]
    [InlineData(ServiceKeys.Gateway, "/api/sensors?limit=1", HttpStatusCode.OK)]
    [InlineData(ServiceKeys.Gateway, "/internal/credentials/sensors", HttpStatusCode.Forbidden)]
    [InlineData(ServiceKeys.Ingestion, "/internal/credentials/sensors", HttpStatusCode.OK)]
    [InlineData(ServiceKeys.Ingestion, "/api/sensors?limit=1", HttpStatusCode.Forbidden)]
    [InlineData(ServiceKeys.Ingestion, "/api/stats", HttpStatusCode.Forbidden)]
    [InlineData(ServiceKeys.Simulator, "/api/stats", HttpStatusCode.Forbidden)]
    [InlineData(ServiceKeys.Simulator, "/internal/credentials/collectors", HttpStatusCode.Forbidden)]
    public async Task Each_service_key_opens_only_the_monitors_routes_its_service_needs(string key, string path, HttpStatusCode expected)
    {
        using var worker = _app.CreateHttpClient("monitor-worker").WithServiceKey(key);

        using var response = await worker.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_simulators_key_registers_sensors_and_the_dashboard_answers_only_the_gateways_key()
    {
        using var simulator = _app.CreateHttpClient("monitor-worker").WithServiceKey(ServiceKeys.Simulator);
        using var registered = await simulator.PostAsJsonAsync("/api/sensors", new { tag = SensorsApi.UniqueTag("by-simulator") });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        using var dashboardAsGateway = _app.CreateHttpClient("dashboard-web").WithServiceKey(ServiceKeys.Gateway);
        using var page = await dashboardAsGateway.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        using var dashboardAsIngestion = _app.CreateHttpClient("dashboard-web").WithServiceKey(ServiceKeys.Ingestion);
        using var refused = await dashboardAsIngestion.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
