using System.Runtime.CompilerServices;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.EndToEndTests;

/// <summary>
/// One started system (the real AppHost, local infrastructure, no simulator) and one Chromium for every browser test.
/// Monitor timings are seconds instead of minutes so tests can watch sensors go late and down.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "end-to-end-admin-password";
    public const string Gateway = "realtime-gateway";

    static readonly string[] Resources =
    [
        InfrastructureExtensions.PostgresName, InfrastructureExtensions.DatabaseName, InfrastructureExtensions.MessagingName,
        "monitor-worker", "ingestion-api", "alerting-service", "dashboard-web", Gateway,
    ];

    DistributedApplication? _app;
    IPlaywright? _playwright;
    IBrowser? _browser;
    SystemApi? _api;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");
    public SystemApi Api => _api ?? throw new InvalidOperationException("The app is not started.");

    /// <summary>The mail server the alerting service sends email alerts to.</summary>
    public SmtpInbox Smtp { get; } = new();

    /// <summary>The gateway's http endpoint: the dashboard, the operators' API and /ws share this origin.</summary>
    public Uri GatewayAddress => App.GetEndpoint(Gateway, "http");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var browserStarting = StartBrowserAsync(); // meanwhile
        try
        {
            _app = await StartedSystem.StartAsync(AdminPassword, Resources, cts.Token, builder =>
            {
                builder.CreateResourceBuilder<ProjectResource>("monitor-worker")
                    .WithEnvironment("Monitor__DefaultExpectedInterval", "00:00:01")
                    .WithEnvironment("Monitor__DefaultGrace", "00:00:00.500")
                    .WithEnvironment("Monitor__DefaultStaleAfter", "00:00:03")
                    .WithEnvironment("Monitor__ScanPeriod", "00:00:00.250")
                    .WithEnvironment("Monitor__SnapshotPeriod", "00:00:01")
                    // Every stale sensor named in each report, however many earlier tests left silent.
                    .WithEnvironment("Monitor__StaleIdsPerMessage", "10000")
                    // Failure risk rescored every 2 s instead of 5 min, so MaintenanceTests can watch a sensor enter the queue.
                    .WithEnvironment("Monitor__Prediction__ScorePeriod", "00:00:02");
                // Tests post a sensor's whole history in one request with its own key (the default allows 60 at once).
                builder.CreateResourceBuilder<ProjectResource>("ingestion-api")
                    .WithEnvironment("Ingestion__SensorKeyRateLimit__HeartbeatsPerSecond", "1000")
                    .WithEnvironment("Ingestion__SensorKeyRateLimit__Burst", "10000");
                Smtp.Receive(builder.CreateResourceBuilder<ProjectResource>("alerting-service"))
                    .WithEnvironment("Alerting__Delivery__PollInterval", "00:00:00.100");
                builder.CreateResourceBuilder<ProjectResource>(Gateway)
                    // Every test signs in at least once; the default (30 a minute, bursts of 10) is for people.
                    .WithEnvironment("Gateway__AuthRateLimit__PerMinute", "600")
                    .WithEnvironment("Gateway__AuthRateLimit__Burst", "40");
            });
        }
        finally
        {
            await browserStarting; // so that DisposeAsync finds the browser to close, whatever happened
        }
        _api = await SystemApi.CreateAsync(_app, GatewayAddress, AdminUser, AdminPassword);
        if (Screenshots.DocsEnabled)
        {
            await DemoFleet.RegisterAsync(_api);
        }
    }

    async Task StartBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Without the background-networking flags Chromium keeps calling home on a closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>
    /// A fresh browser context (own cookies and storage) with one page on the gateway's origin; disposing it saves a
    /// screenshot of every page it opened (named after <paramref name="test"/>) and closes it.
    /// </summary>
    public async Task<BrowserSession> OpenBrowserAsync([CallerMemberName] string test = "")
    {
        var context = await (_browser ?? throw new InvalidOperationException("The browser is not started.")).NewContextAsync(new()
        {
            BaseURL = GatewayAddress.GetLeftPart(UriPartial.Authority),
            ViewportSize = new() { Width = 1280, Height = 800 },
            ColorScheme = ColorScheme.Light,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        return await BrowserSession.CreateAsync(context, test);
    }

    /// <summary>Runs one of Aspire's resource commands (stop, start…) on the gateway and checks it succeeded.</summary>
    public async Task GatewayCommandAsync(string command, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(Gateway, command, cancellationToken);
        Assert.True(result.Success, $"{command} {Gateway}: {result.Message}");
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        await Smtp.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard in a browser";
}
