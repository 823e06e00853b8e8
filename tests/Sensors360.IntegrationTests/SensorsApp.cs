using System.Globalization;
using RabbitMQ.Client;
using Sensors360.Messaging;
using Sensors360.AppHost.Infrastructure;
using Sensors360.TestSupport;

namespace Sensors360.IntegrationTests;

/// <summary>Starts the real AppHost in local infrastructure mode (the machine's PostgreSQL and RabbitMQ).</summary>
public static class SensorsApp
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public static readonly string[] ServiceNames = ["monitor-worker", "ingestion-api", "alerting-service", "dashboard-web", "realtime-gateway"];
    public static readonly string[] InfrastructureNames =
        [InfrastructureExtensions.PostgresName, InfrastructureExtensions.DatabaseName, InfrastructureExtensions.MessagingName];

    /// <summary>The first Admin's password (user "admin") in every started system.</summary>
    public const string AdminPassword = "integration-admin-password";

    public static Task<DistributedApplication> StartAsync(
        CancellationToken cancellationToken, Action<IDistributedApplicationTestingBuilder>? configure = null, string[]? args = null) =>
        StartedSystem.StartAsync(AdminPassword, InfrastructureNames.Concat(ServiceNames), cancellationToken, configure, args);
}

public static class RabbitManagement
{
    /// <summary>
    /// The broker behind the app's connection string <paramref name="connectionName"/> (the administrator's
    /// <c>messaging</c>, or a service's login), parsed as the services parse it: one node or several.
    /// </summary>
    public static async Task<BrokerAddress> BrokerAsync(this DistributedApplication app, string connectionName = "messaging") =>
        BrokerAddress.Parse(await app.GetConnectionStringAsync(connectionName), connectionName);

    /// <summary>A RabbitMQ.Client connection to whichever node of <paramref name="broker"/> answers.</summary>
    public static async Task<IConnection> ConnectAsync(this BrokerAddress broker, Action<ConnectionFactory>? configure = null)
    {
        var factory = broker.CreateConnectionFactory();
        configure?.Invoke(factory);
        return await factory.CreateConnectionAsync(broker.Endpoints);
    }

    /// <summary>An HTTP client for the RabbitMQ management API of the app's broker, signed in as the app's user.</summary>
    public static async Task<HttpClient> CreateManagementClientAsync(this DistributedApplication app)
    {
        var broker = await app.BrokerAsync();
        var http = new HttpClient { BaseAddress = app.GetEndpoint("messaging", "management"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{broker.UserName}:{broker.Password}")));
        return http;
    }
}

/// <summary>One started system shared by every test in the collection.</summary>
public sealed class SensorsAppFixture : IAsyncLifetime
{
    public const int SensorKeyHeartbeatsPerSecond = 2;
    public const int SensorKeyBurst = 10;
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(3);

    /// <summary>Sign-in attempts per minute per address at the gateway (a bucket of <see cref="SignInBurst"/>).</summary>
    public const int SignInPerMinute = 600;
    public const int SignInBurst = 40;
    public const int WebSocketQueueCapacity = 1024;

    /// <summary>The gateway believes this proxy's X-Forwarded-For (Gateway:ForwardedHeaders:KnownProxies, with ::1).</summary>
    public const string GatewayKnownProxy = "127.0.0.1";

    DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    /// <summary>The mail server the alerting service sends email alerts to.</summary>
    public SmtpInbox Smtp { get; } = new();

    /// <summary>Plain HTTP only, as a local demo runs: HTTPS with a certificate is <see cref="TlsSystemFixture"/>'s.</summary>
    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SensorsApp.StartTimeout);
        _app = await SensorsApp.StartAsync(cts.Token, builder =>
        {
            // Short enough for a test to watch partition maintenance happen.
            builder.CreateResourceBuilder<ProjectResource>("monitor-worker")
                .WithEnvironment("Monitor__PartitionMaintenancePeriod", "00:00:02")
                // Seconds instead of minutes, so tests can watch sensors go late and down.
                .WithEnvironment("Monitor__DefaultExpectedInterval", "00:00:01")
                .WithEnvironment("Monitor__DefaultGrace", "00:00:00.500")
                .WithEnvironment("Monitor__DefaultStaleAfter", StaleAfter.ToString("c", CultureInfo.InvariantCulture))
                .WithEnvironment("Monitor__ScanPeriod", "00:00:00.250")
                .WithEnvironment("Monitor__SnapshotPeriod", "00:00:01")
                .WithEnvironment("Monitor__StaleIdsPerMessage", "10000")
                // MaintenanceTests watch a degrading sensor enter the maintenance queue, and a pass score the fleet in
                // slices, two at a time.
                .WithEnvironment("Monitor__Prediction__ScorePeriod", "00:00:01")
                .WithEnvironment("Monitor__Prediction__ScoreSlice", "100");
            Smtp.Receive(builder.CreateResourceBuilder<ProjectResource>("alerting-service"))
                // WebhookTests and AlertChannelTests run their receivers on plain http://127.0.0.1 (a loopback address,
                // so allowed explicitly) and watch retries happen.
                .WithEnvironment("Alerting__Webhooks__AllowHttp", "true")
                .WithEnvironment("Alerting__Webhooks__AllowedNetworks__0", "127.0.0.0/8")
                .WithEnvironment("Alerting__Webhooks__FirstRetryDelay", "00:00:00.200")
                .WithEnvironment("Alerting__Delivery__FirstRetryDelay", "00:00:00.200")
                .WithEnvironment("Alerting__Delivery__MaxAttempts", "3")
                .WithEnvironment("Alerting__Delivery__PollInterval", "00:00:00.100");
            // Low enough for a test to reach; tests that send many requests use a collector key.
            builder.CreateResourceBuilder<ProjectResource>("ingestion-api")
                .WithEnvironment("Ingestion__SensorKeyRateLimit__HeartbeatsPerSecond", SensorKeyHeartbeatsPerSecond.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Ingestion__SensorKeyRateLimit__Burst", SensorKeyBurst.ToString(CultureInfo.InvariantCulture));
            builder.CreateResourceBuilder<ProjectResource>("realtime-gateway")
                .WithEnvironment("Gateway__AuthRateLimit__PerMinute", SignInPerMinute.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Gateway__AuthRateLimit__Burst", SignInBurst.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Gateway__WebSocket__QueueCapacity", WebSocketQueueCapacity.ToString(CultureInfo.InvariantCulture))
                // Tests play a proxy in front of the gateway: DCP's, on 127.0.0.1, through which every test connects.
                // A test that sends no X-Forwarded-For is still 127.0.0.1.
                .WithEnvironment("Gateway__ForwardedHeaders__KnownProxies__0", GatewayKnownProxy)
                .WithEnvironment("Gateway__ForwardedHeaders__KnownProxies__1", "::1");
            // Gateway:SessionRevalidation stays at its default (30 s): an Admin's changes must end sessions at once
            // without it (RevocationTests).
        });
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// A second started system, set up as one facing the internet would be: the gateway and the ingestion API have a
/// certificate (HTTPS, HSTS, Secure __Host- cookies), and webhooks may not go to any private or loopback network.
/// </summary>
public sealed class TlsSystemFixture : IAsyncLifetime
{
    DistributedApplication? _app;
    readonly string _certificateDirectory = Directory.CreateTempSubdirectory("sensors360-tls-").FullName;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    /// <summary>The self-signed certificate the gateway and the ingestion API serve HTTPS with.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SensorsApp.StartTimeout);
        (Certificate, var pfx, var password) = TestCertificate.Create(_certificateDirectory);
        _app = await SensorsApp.StartAsync(cts.Token, builder => builder.CreateResourceBuilder<ProjectResource>("alerting-service")
                // The tests' webhook receiver is plain HTTP on loopback: http is allowed, the loopback network is not.
                .WithEnvironment("Alerting__Webhooks__AllowHttp", "true"),
            [$"--Tls:CertificatePath={pfx}", $"--Tls:CertificatePassword={password}"]);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Certificate?.Dispose();
        Directory.Delete(_certificateDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class TlsSystemCollection : ICollectionFixture<TlsSystemFixture>
{
    public const string Name = "Started system with a certificate";
}

[CollectionDefinition(Name)]
public sealed class SensorsAppCollection : ICollectionFixture<SensorsAppFixture>
{
    public const string Name = "Started system";
}
