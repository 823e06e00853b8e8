using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.DeploymentTests;

/// <summary>What the AppHost gives each service in one topology: its environment as published (values are placeholders such as
/// <c>{service-key-gateway.value}</c>) and the resources it references. Built with the containers infrastructure (the
/// closest to Kubernetes); nothing is started.</summary>
public sealed record AppHostModel(
    IReadOnlyDictionary<string, AppHostService> Services,
    IReadOnlyDictionary<string, string> BrokerEnvironment)
{
    static readonly ConcurrentDictionary<string, Lazy<Task<AppHostModel>>> Models = new();

    public static Task<AppHostModel> OfTopologyAsync(string topology) =>
        Models.GetOrAdd(topology, t => new Lazy<Task<AppHostModel>>(() => BuildAsync(t))).Value;

    static async Task<AppHostModel> BuildAsync(string topology)
    {
        await using var model = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Sensors360_AppHost>(
            ["--Infrastructure:Mode=containers", $"--Topology:Mode={topology}"]);
        var services = new Dictionary<string, AppHostService>();
        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            services[project.Name] = new AppHostService(
                await EnvironmentAsync(project),
                project.Annotations.OfType<ResourceRelationshipAnnotation>().Where(r => r.Type == "Reference").Select(r => r.Resource.Name).ToHashSet(),
                project.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal));
        }
        var broker = model.Resources.Single(r => r.Name == InfrastructureExtensions.MessagingName);
        return new AppHostModel(services, await EnvironmentAsync(broker));
    }

    static async Task<IReadOnlyDictionary<string, string>> EnvironmentAsync(IResource resource) =>
        (await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig().BuildAsync(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None))
        .EnvironmentVariables.ToDictionary();
}

/// <param name="Environment">Variable names and published values.</param>
/// <param name="References">Resources it references (connection strings, other services).</param>
/// <param name="External">Whether it has an endpoint meant for the outside world (a public door).</param>
public sealed record AppHostService(IReadOnlyDictionary<string, string> Environment, IReadOnlySet<string> References, bool External)
{
    /// <summary>
    /// The variables a container needs: the AppHost's, less what only a development run uses — Development as the
    /// environment, ASPNETCORE_URLS and the launch profile (the image listens on 8080 by itself), Aspire's development
    /// telemetry switches (they turn off the redaction of query strings in traces) — and less Aspire's second spellings of
    /// the same value (<c>MONITOR_WORKER_HTTP</c> beside <c>services__monitor-worker__http__0</c>, for clients in other
    /// languages; <c>ConnectionStrings__sensorsdb_readonly</c> beside <c>…sensorsdb-readonly</c>), which the services do not read.
    /// </summary>
    public IReadOnlySet<string> ContainerVariables()
    {
        var names = Environment.Keys.ToHashSet();
        var discovered = names.Where(n => n.StartsWith("services__", StringComparison.Ordinal))
            .Select(n => n.Split("__")[1].ToUpperInvariant().Replace('-', '_') + "_HTTP");
        var underscoreSpellings = names.Where(n => !n.Contains('-') && names.Any(o => o != n && o.Replace('-', '_') == n));
        return names
            .Where(n => n is not ("ASPNETCORE_ENVIRONMENT" or "ASPNETCORE_URLS" or "DOTNET_LAUNCH_PROFILE"))
            .Where(n => !n.StartsWith("OTEL_DOTNET_EXPERIMENTAL_", StringComparison.Ordinal))
            // Only the AppHost calls with it (the Aspire dashboard's resource commands); a cluster has no AppHost.
            .Where(n => n != $"ServiceAuth__Callers__{Sensors360.Contracts.ServiceCallers.AppHost}")
            .Except(discovered)
            .Except(underscoreSpellings)
            .ToHashSet();
    }
}
