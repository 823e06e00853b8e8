using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Sensors360.IntegrationTests.Reliability;

/// <summary>
/// One started system for every fault scenario. Each test stops and kills resources of it, and restores every one
/// it stopped before it ends, so the next test finds the whole system running. A collection that needs other
/// settings derives from it and overrides <see cref="Configure"/>.
/// </summary>
public class FaultsFixture : IAsyncLifetime
{
    public const string StopCommand = "resource-stop";
    public const string StartCommand = "resource-start";
    public static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(2);

    // A data directory of its own that outlives a resource restart: with the default throwaway one, stopping
    // PostgreSQL or RabbitMQ deletes their data, which is not the fault being tested.
    readonly string _dataDirectory = Directory.CreateTempSubdirectory("sensors360-faults-").FullName;
    DistributedApplication? _app;

    /// <summary>The system's kept data (Infrastructure:DataDirectory): PostgreSQL's in postgres/, backups in backups/.</summary>
    public string DataDirectory => _dataDirectory;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public ResourceCommandService Commands => App.Services.GetRequiredService<ResourceCommandService>();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SensorsApp.StartTimeout);
        _app = await SensorsApp.StartAsync(cts.Token, Configure, [$"--Infrastructure:DataDirectory={_dataDirectory}"]);
    }

    /// <summary>Settings of this collection's system, on top of <see cref="SensorsApp.StartAsync"/>'s.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
        // Scans often enough for the outbox and lag tests to watch sensors go late within seconds.
        builder.CreateResourceBuilder<ProjectResource>("monitor-worker").WithEnvironment("Monitor__ScanPeriod", "00:00:00.500");
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

    public async Task StopAsync(string resource, CancellationToken cancellationToken)
    {
        var stopped = await Commands.ExecuteCommandAsync(resource, StopCommand, cancellationToken);
        Assert.True(stopped.Success, $"stop {resource}: {stopped.Message}");
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, cancellationToken);
    }

    public async Task StartAsync(string resource, CancellationToken cancellationToken)
    {
        var started = await Commands.ExecuteCommandAsync(resource, StartCommand, cancellationToken);
        Assert.True(started.Success, $"start {resource}: {started.Message}");
        await WaitStartedThenHealthyAsync(resource, cancellationToken);
    }

    /// <summary>For a test's finally: starts the resource again unless it is running, and waits until it is healthy.</summary>
    public async Task RestoreAsync(string resource)
    {
        using var cts = new CancellationTokenSource(RestoreTimeout);
        if (App.ResourceNotifications.TryGetCurrentState(resource, out var state)
            && state!.Snapshot.State?.Text is { } text && KnownResourceStates.TerminalStates.Contains(text))
        {
            await Commands.ExecuteCommandAsync(resource, StartCommand, cts.Token);
        }
        await WaitStartedThenHealthyAsync(resource, cts.Token);
    }

    /// <summary>
    /// Right after the start command the resource may still report its old, terminal state (Exited), and waiting for
    /// health would give up on that at once: first wait for the new run to show, then for it to be healthy.
    /// </summary>
    async Task WaitStartedThenHealthyAsync(string resource, CancellationToken cancellationToken)
    {
        await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text is { } state && !KnownResourceStates.TerminalStates.Contains(state), cancellationToken);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
    }

    public int ProcessIdOf(string resource) => App.ProcessIdOf(resource);
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection : ICollectionFixture<FaultsFixture>
{
    public const string Name = "Faults";
}
