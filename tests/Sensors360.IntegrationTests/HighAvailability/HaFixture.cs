using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Sensors360.IntegrationTests.Reliability;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests.HighAvailability;

/// <summary>
/// One system started in the ha topology (two of each service, three RabbitMQ nodes, a PostgreSQL standby) for the
/// fault scenarios. A scenario kills one instance with SIGKILL and starts that instance again before it ends, so the
/// next finds the whole topology running.
/// </summary>
public class HaFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(2);

    // Outlives an instance's restart: with the default throwaway directory a restarted server would lose its data.
    readonly string _dataDirectory = Directory.CreateTempSubdirectory("sensors360-ha-").FullName;
    DistributedApplication? _app;
    Dictionary<string, string[]> _instances = [];

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    ResourceCommandService Commands => App.Services.GetRequiredService<ResourceCommandService>();

    public static readonly string[] BrokerNodes =
        [.. Enumerable.Range(1, Sensors360.AppHost.TopologyOptions.BrokerNodes).Select(InfrastructureExtensions.BrokerNodeName)];

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        _app = await StartedSystem.StartAsync(SensorsApp.AdminPassword,
            [.. SensorsApp.InfrastructureNames, .. BrokerNodes, InfrastructureExtensions.StandbyName, .. SensorsApp.ServiceNames], cts.Token,
            builder => builder.CreateResourceBuilder<ProjectResource>("monitor-worker")
                .WithEnvironment("Monitor__ScanPeriod", "00:00:00.500")
                .WithEnvironment("Monitor__SnapshotPeriod", "00:00:01"),
            ["--Topology:Mode=ha", $"--Infrastructure:DataDirectory={_dataDirectory}"]);
        _instances = await InstancesAsync(App);
        foreach (var service in SensorsApp.ServiceNames)
        {
            foreach (var instance in InstancesOf(service))
            {
                await UntilAsync(instance, Healthy, cts.Token);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a server process still held a file; the directory is under /tmp and named for what it is
        }
    }

    /// <summary>The names of a resource's instances (one per replica), in a fixed order; a restart keeps them.</summary>
    public IReadOnlyList<string> InstancesOf(string resource) =>
        _instances.TryGetValue(resource, out var instances) ? instances : throw new InvalidOperationException($"no resource {resource}");

    /// <summary>Every resource's instances, from the states the notification service replays to a new watcher.</summary>
    static async Task<Dictionary<string, string[]>> InstancesAsync(DistributedApplication app)
    {
        var seen = new List<(string Resource, string Instance)>();
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(replayed.Token))
            {
                seen.Add((update.Resource.Name, update.ResourceId));
            }
        }
        catch (OperationCanceledException)
        {
            // the replay is over; nothing more will come without a change
        }
        return seen.Distinct().GroupBy(s => s.Resource).ToDictionary(g => g.Key, g => g.Select(s => s.Instance).Order(StringComparer.Ordinal).ToArray());
    }

    public int ProcessIdOf(string instance) => App.ProcessIdOf(instance);

    /// <summary>
    /// SIGKILLs the instance's process — for a server, the server itself below its wrapper script (RabbitMQ's
    /// beam.smp, PostgreSQL's postmaster) — and waits until DCP sees the instance gone.
    /// </summary>
    public async Task<Stopwatch> KillAsync(string instance, string? serverProcess, CancellationToken cancellationToken)
    {
        var pid = ProcessIdOf(instance);
        var target = serverProcess is null ? pid : LocalProcesses.DescendantsOf(pid).First(p => LocalProcesses.CommandOf(p) == serverProcess);
        Process.GetProcessById(target).Kill(entireProcessTree: serverProcess is null);
        var killed = Stopwatch.StartNew();
        await UntilAsync(instance, Ended, cancellationToken);
        return killed;
    }

    public async Task StartAsync(string instance, CancellationToken cancellationToken)
    {
        var started = await Commands.ExecuteCommandAsync(instance, FaultsFixture.StartCommand, cancellationToken);
        Assert.True(started.Success, $"start {instance}: {started.Message}");
        await UntilAsync(instance, s => !Ended(s), cancellationToken);
        await UntilAsync(instance, Healthy, cancellationToken);
    }

    /// <summary>For a test's finally: starts the instance again unless it runs, and waits until it is healthy.</summary>
    public async Task RestoreAsync(string instance)
    {
        using var cts = new CancellationTokenSource(RestoreTimeout);
        if (App.ResourceNotifications.TryGetCurrentState(instance, out var state) && Ended(state!.Snapshot))
        {
            await StartAsync(instance, cts.Token);
        }
        await UntilAsync(instance, Healthy, cts.Token);
    }

    static bool Healthy(CustomResourceSnapshot snapshot) => snapshot.HealthStatus == HealthStatus.Healthy;

    static bool Ended(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state);

    /// <summary>
    /// Until the instance's current state meets <paramref name="condition"/>, read every 250 ms. Not the notification
    /// waits (WaitForResourceHealthyAsync, WaitForResourceAsync): on a replica's instance name they ran out here while
    /// the current state already met the condition (a second monitor-worker replica Healthy; a killed PostgreSQL
    /// instance Finished).
    /// </summary>
    async Task UntilAsync(string instance, Func<CustomResourceSnapshot, bool> condition, CancellationToken cancellationToken)
    {
        while (!(App.ResourceNotifications.TryGetCurrentState(instance, out var state) && condition(state!.Snapshot)))
        {
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>A connection to the standby as the administrator (reads only: it is in recovery).</summary>
    public async Task<NpgsqlDataSource> StandbyAsync() =>
        NpgsqlDataSource.Create((await App.GetConnectionStringAsync(InfrastructureExtensions.StandbyName))! + ";Database=sensorsdb");
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HaCollection : ICollectionFixture<HaFixture>
{
    public const string Name = "High availability";
}
