using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Sensors360.Bench;

/// <summary>
/// The whole system started for a benchmark run: the real AppHost in local mode (Release build when the bench is
/// built in Release), the simulator off, rate limits out of the way, the monitor's production timings.
/// </summary>
public sealed class BenchSystem : IAsyncDisposable
{
    public const string AdminPassword = "bench-admin-password";

    BenchSystem(DistributedApplication app) => App = app;

    public DistributedApplication App { get; }

    public static async Task<BenchSystem> StartAsync(CancellationToken cancellationToken)
    {
        var app = await StartedSystem.StartAsync(AdminPassword, ["sensorsdb", "messaging", "monitor-worker", "ingestion-api", "realtime-gateway"],
            cancellationToken, builder =>
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
                    // Failure prediction reads every live sensor's recent heartbeats each pass: on the generated million-sensor
                    // fleet it would be a workload of its own inside every scenario. Its cost: docs/predictive-maintenance.md.
                    .WithEnvironment("Monitor__Prediction__Enabled", "false");
            },
            serviceOutput: LogLevel.None);
        return new BenchSystem(app);
    }

    public Uri Http(string resource) => App.GetEndpoint(resource, "http");

    /// <summary>The port the service itself listens on, behind the orchestrator's proxy (for many connections).</summary>
    public Uri Direct(string resource)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"{resource} has no state.");
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
    public async Task<long[]> RegisterSensorsAsync(string prefix, int count, SensorTimings? timings = null)
    {
        using var worker = Worker();
        var ids = new List<long>(count);
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
            ids.AddRange(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(line => long.Parse(line.Split(',')[0], CultureInfo.InvariantCulture)));
        }
        return [.. ids];
    }

    /// <summary>Resident memory of a service: the process running its assembly (the resource's pid may be a launcher).</summary>
    public long ResidentBytes(string resource, string assemblyName)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"{resource} has no state.");
        }
        var root = Convert.ToInt32(state.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
        return ProcessMemory.ResidentBytesOfTree(root, assemblyName);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>A sensor's timings in the registry, in seconds (its CSV import's columns).</summary>
public sealed record SensorTimings(int ExpectedIntervalSeconds, int GraceSeconds, int StaleAfterSeconds);
