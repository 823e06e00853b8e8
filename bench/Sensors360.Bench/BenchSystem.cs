using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Sensors360.AppHost;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.Bench;

/// <summary>
/// The whole system started for a benchmark run: the real AppHost in local mode (Release build when the bench is
/// built in Release), the simulator off, rate limits out of the way, the monitor's production timings; in the single
/// topology (one of everything) or the ha one (Topology:Replicas of each service behind one address per endpoint,
/// three RabbitMQ nodes, a PostgreSQL standby).
/// </summary>
public sealed class BenchSystem : IAsyncDisposable
{
    public const string AdminPassword = "bench-admin-password";

    static readonly string[] Services = ["monitor-worker", "ingestion-api", "dashboard-web", "realtime-gateway"];

    readonly Dictionary<string, string[]> _instances;

    BenchSystem(DistributedApplication app, Dictionary<string, string[]> instances) => (App, _instances) = (app, instances);

    public DistributedApplication App { get; }

    /// <summary>How long the system may take to be healthy (the ha topology starts twice as many services on 2 cores).</summary>
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    public static async Task<BenchSystem> StartAsync(TopologyMode topology, CancellationToken cancellationToken)
    {
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        starting.CancelAfter(StartTimeout);
        var ha = topology == TopologyMode.Ha;
        string[] infrastructure = ha
            ? ["sensorsdb", InfrastructureExtensions.StandbyName, .. Enumerable.Range(1, TopologyOptions.BrokerNodes).Select(InfrastructureExtensions.BrokerNodeName)]
            : ["sensorsdb", "messaging"];
        try
        {
            var app = await StartedSystem.StartAsync(AdminPassword, [.. infrastructure, .. Services],
                starting.Token, builder =>
                {
                    builder.CreateResourceBuilder<ProjectResource>("ingestion-api")
                        // The highest the settings accept: far beyond what two cores can send.
                        .WithEnvironment("Ingestion__CollectorKeyRateLimit__HeartbeatsPerSecond", "1000000")
                        .WithEnvironment("Ingestion__CollectorKeyRateLimit__Burst", "1000000")
                        .WithEnvironment("Logging__LogLevel__Default", "Warning");
                    builder.CreateResourceBuilder<ProjectResource>("realtime-gateway")
                        .WithEnvironment("Gateway__AuthRateLimit__PerMinute", "100000")
                        .WithEnvironment("Gateway__AuthRateLimit__Burst", "100000")
                        .WithEnvironment("Logging__LogLevel__Default", "Warning");
                    builder.CreateResourceBuilder<ProjectResource>("monitor-worker")
                        .WithEnvironment("Logging__LogLevel__Default", "Warning")
                        // One scoring pass at start-up (an empty fleet), then only when (k) asks for one: on the generated
                        // million-sensor fleets a pass every 5 minutes would be a workload of its own inside every scenario.
                        .WithEnvironment("Monitor__Prediction__ScorePeriod", "1.00:00:00");
                },
                args: ha ? ["--Topology:Mode=ha"] : null,
                serviceOutput: LogLevel.None);
            try
            {
                return new BenchSystem(app, await HealthyInstancesAsync(app, starting.Token));
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }
        catch (OperationCanceledException) when (starting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The {topology} system was not healthy within {StartTimeout.TotalMinutes} minutes.");
        }
    }

    /// <summary>The ids of a service's instances, one per replica, in a fixed order.</summary>
    public IReadOnlyList<string> Instances(string service) => _instances[service];

    public Uri Http(string resource) => App.GetEndpoint(resource, "http");

    /// <summary>
    /// The port a service instance itself listens on, behind the orchestrator's proxy (for many connections). An instance
    /// is a resource's name when it runs once, else one of <see cref="Instances"/>.
    /// </summary>
    public Uri Direct(string instance)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(instance, out var state))
        {
            throw new InvalidOperationException($"{instance} has no state.");
        }
        // The orchestrator starts the service with its own listening address(es) in ASPNETCORE_URLS.
        var urls = state.Snapshot.EnvironmentVariables.First(v => v.Name == "ASPNETCORE_URLS").Value!;
        var http = urls.Split(';').First(u => u.StartsWith("http://", StringComparison.Ordinal));
        return new Uri(http.Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    public async Task<string> ConnectionStringAsync(string name) => (await App.GetConnectionStringAsync(name))!;

    public HttpClient Worker() => new HttpClient { BaseAddress = Http("monitor-worker"), Timeout = TimeSpan.FromMinutes(5) }.WithServiceKey(ServiceKeys.Gateway);

    public async Task<string> AdminTokenAsync()
    {
        using var http = new HttpClient { BaseAddress = Http("realtime-gateway") };
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = AdminPassword });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>A collector key valid for every sensor (one key for the load tool's whole fleet).</summary>
    public async Task<string> CollectorKeyAsync()
    {
        using var worker = Worker();
        using var response = await worker.PostAsJsonAsync("/api/collector-keys", new { name = $"bench-{Guid.NewGuid():N}" });
        response.EnsureSuccessStatusCode();
        var key = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        // The ingestion API learns of new keys through the bus: wait until it accepts this one.
        using var ingestion = new HttpClient { BaseAddress = Http("ingestion-api") };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/heartbeats") { Content = JsonContent.Create(Array.Empty<object>()) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var answer = await ingestion.SendAsync(request);
            if ((int)answer.StatusCode is not (401 or 403))
            {
                return key;
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("The ingestion API never accepted the bench's collector key.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Registers <paramref name="count"/> sensors through the registry's CSV import, with the registry's default
    /// timings or <paramref name="timings"/>; returns their ids.
    /// </summary>
    public async Task<long[]> RegisterSensorsAsync(string prefix, int count, SensorTimings? timings = null) =>
        [.. (await RegisterSensorsWithKeysAsync(prefix, count, timings)).Select(s => s.Id)];

    /// <summary><see cref="RegisterSensorsAsync"/>, with each sensor's key (for devices that sign in as themselves).</summary>
    public async Task<(long Id, string Key)[]> RegisterSensorsWithKeysAsync(string prefix, int count, SensorTimings? timings = null)
    {
        using var worker = Worker();
        var ids = new List<(long Id, string Key)>(count);
        var (header, columns) = timings is { } t
            ? ("tag,expected_interval_seconds,grace_seconds,stale_after_seconds", $",{t.ExpectedIntervalSeconds},{t.GraceSeconds},{t.StaleAfterSeconds}")
            : ("tag", "");
        for (var start = 0; start < count; start += 10_000)
        {
            var csv = header + "\n" + string.Join('\n', Enumerable.Range(start, Math.Min(10_000, count - start)).Select(i => $"{prefix}-{i}{columns}")) + "\n";
            using var content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv");
            using var response = await worker.PostAsync("/api/sensors/import", content);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Import failed: {(int)response.StatusCode} {body}");
            }
            // The answer is "id,tag,key" per row; tags and keys hold no commas.
            ids.AddRange(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(line => line.Split(','))
                .Select(fields => (long.Parse(fields[0], CultureInfo.InvariantCulture), fields[^1].Trim())));
        }
        return [.. ids];
    }

    /// <summary>Resident memory of a service instance (see <see cref="ProcessId"/>).</summary>
    public long ResidentBytes(string instance, string assemblyName) => ProcessMemory.ResidentBytes(ProcessId(instance, assemblyName));

    /// <summary>
    /// The process running a service instance's assembly: the instance's process may be a launcher of it. An instance
    /// is a resource's name when it runs once, else one of <see cref="Instances"/>.
    /// </summary>
    public int ProcessId(string instance, string assemblyName)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(instance, out var state))
        {
            throw new InvalidOperationException($"{instance} has no state.");
        }
        var root = Convert.ToInt32(state.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
        return ProcessMemory.FindInTree(root, assemblyName);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    /// <summary>
    /// Waits until every replica of every service is healthy and returns their instance ids. Waiting on a resource's
    /// name would return once any one replica is, and the notification service matches waits on names only.
    /// </summary>
    static async Task<Dictionary<string, string[]>> HealthyInstancesAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var replicas = Services.ToDictionary(s => s,
            s => model.Resources.Single(r => r.Name == s).Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1);
        var healthy = Services.ToDictionary(s => s, _ => new SortedSet<string>(StringComparer.Ordinal));
        // The watch begins with every resource's current state, so instances healthy already are counted too.
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (healthy.ContainsKey(update.Resource.Name) && update.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state))
            {
                throw new InvalidOperationException($"{update.ResourceId} stopped ({state}) before every replica was healthy.");
            }
            if (healthy.TryGetValue(update.Resource.Name, out var instances) && update.Snapshot.HealthStatus == HealthStatus.Healthy
                && instances.Add(update.ResourceId) && healthy.All(h => h.Value.Count >= replicas[h.Key]))
            {
                return healthy.ToDictionary(h => h.Key, h => h.Value.ToArray());
            }
        }
        throw new OperationCanceledException(cancellationToken);
    }
}

/// <summary>A sensor's timings in the registry, in seconds (its CSV import's columns).</summary>
public sealed record SensorTimings(int ExpectedIntervalSeconds, int GraceSeconds, int StaleAfterSeconds);
