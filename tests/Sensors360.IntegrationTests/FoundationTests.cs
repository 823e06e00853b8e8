using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using RabbitMQ.Client;

namespace Sensors360.IntegrationTests;

[Collection(SensorsAppCollection.Name)]
public sealed class FoundationTests(SensorsAppFixture fixture)
{
    DistributedApplication App => fixture.App;

    /// <summary>
    /// The checks are shown only to a caller that proved who it is (HealthDetailsTests): a sensor's key at the ingestion
    /// API, a signed-in operator at the gateway, the gateway's service key at the worker and the dashboard's host.
    /// </summary>
    [Theory]
    [InlineData("ingestion-api", new[] { "masstransit-bus", "credentials", "heartbeat-backlog" })]
    [InlineData("monitor-worker", new[] { "PostgreSql", "masstransit-bus" })]
    [InlineData("realtime-gateway", new[] { "PostgreSql", "masstransit-bus" })]
    [InlineData("dashboard-web", new[] { "self" })]
    public async Task Each_service_reports_its_dependencies_as_healthy(string service, string[] expectedChecks)
    {
        using var http = App.CreateHttpClient(service, "http");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Authorization = service switch
        {
            "ingestion-api" => new("Bearer", await KnownSensorKeyAsync()),
            "realtime-gateway" => new("Bearer", await Gateway.AdminTokenAsync(App)),
            _ => ServiceKeys.Header(ServiceKeys.Gateway),
        };

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var report = JsonDocument.Parse(body);
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks");
        foreach (var check in expectedChecks)
        {
            Assert.True(checks.TryGetProperty(check, out var entry), $"{service} /health has no '{check}' check: {body}");
            Assert.Equal("Healthy", entry.GetProperty("status").GetString());
        }
    }

    async Task<string> KnownSensorKeyAsync()
    {
        await using var api = new SensorsApi(App);
        var (id, key) = await api.RegisterAsync(SensorsApi.UniqueTag("health-reader"));
        await api.WaitUntilKeyAcceptedAsync(id, key);
        return key;
    }

    [Fact]
    public async Task Sensorsdb_is_a_real_PostgreSQL_15_database_that_stores_rows()
    {
        var connectionString = await App.GetConnectionStringAsync("sensorsdb");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        await using (var identity = new NpgsqlCommand("SELECT current_database(), current_setting('server_version_num')::int", connection))
        await using (var reader = await identity.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal("sensorsdb", reader.GetString(0));
            Assert.InRange(reader.GetInt32(1), 150000, 159999);
        }

        var marker = Guid.NewGuid();
        await using var roundTrip = new NpgsqlCommand(
            "CREATE TEMP TABLE probe (id uuid); INSERT INTO probe VALUES (@marker); SELECT id FROM probe", connection);
        roundTrip.Parameters.AddWithValue("marker", marker);
        Assert.Equal(marker, await roundTrip.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Messaging_is_a_real_RabbitMQ_broker_that_confirms_and_delivers()
    {
        await using var connection = await (await App.BrokerAsync()).ConnectAsync();
        Assert.Equal("RabbitMQ", Encoding.UTF8.GetString((byte[])connection.ServerProperties!["product"]!));

        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var queue = await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true);
        var payload = Encoding.UTF8.GetBytes($"probe-{Guid.NewGuid()}");

        // With confirmation tracking on, this completes only once the broker has confirmed the message.
        await channel.BasicPublishAsync(exchange: "", routingKey: queue.QueueName, mandatory: true, body: payload);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        BasicGetResult? delivered = null;
        while (delivered is null && DateTime.UtcNow < deadline)
        {
            delivered = await channel.BasicGetAsync(queue.QueueName, autoAck: true);
            if (delivered is null)
            {
                await Task.Delay(50);
            }
        }
        Assert.NotNull(delivered);
        Assert.Equal(payload, delivered.Body.ToArray());
    }

    [Fact]
    public async Task RabbitMQ_management_UI_is_enabled()
    {
        using var http = await App.CreateManagementClientAsync();

        using var response = await http.GetAsync("/api/overview");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var overview = JsonDocument.Parse(body);
        Assert.False(string.IsNullOrEmpty(overview.RootElement.GetProperty("rabbitmq_version").GetString()));
    }

    [Fact]
    public async Task Gateway_serves_the_dashboard_through_its_reverse_proxy()
    {
        using var gateway = App.CreateHttpClient("realtime-gateway", "http");

        using var response = await gateway.GetAsync("/");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Sensors 360</h1>", body);
    }
}
