namespace Aspire.Hosting;

/// <summary>
/// The keys services prove themselves with to each other (see ServiceAuthentication in the service defaults): one
/// secret parameter per calling service, <c>Parameters:service-key-&lt;caller&gt;</c>, generated when not given.
/// </summary>
public static class ServiceKeyExtensions
{
    public static IResourceBuilder<ParameterResource> AddServiceKey(this IDistributedApplicationBuilder builder, string caller) =>
        builder.AddParameter($"service-key-{caller}", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

    /// <summary>The service calls others with <paramref name="key"/>.</summary>
    public static IResourceBuilder<ProjectResource> WithServiceKey(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> key) =>
        service.WithEnvironment("ServiceAuth__Key", key);

    /// <summary>The service answers <paramref name="caller"/>, who proves itself with <paramref name="key"/>.</summary>
    public static IResourceBuilder<ProjectResource> WithCaller(
        this IResourceBuilder<ProjectResource> service, string caller, IResourceBuilder<ParameterResource> key) =>
        service.WithEnvironment($"ServiceAuth__Callers__{caller}", key);
}
