namespace Aspire.Hosting;

public static class PortExtensions
{
    /// <summary>
    /// Pins the public port of a project's "http" endpoint when <paramref name="configurationKey"/> is set
    /// (eng/run.sh sets 8080/8081 so users get stable URLs); otherwise Aspire picks a free one, which is what
    /// tests want.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfiguredHttpPort(
        this IResourceBuilder<ProjectResource> project, string configurationKey)
    {
        var value = project.ApplicationBuilder.Configuration[configurationKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return project;
        }

        if (!int.TryParse(value, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{configurationKey} must be a TCP port (1-65535), not '{value}'.");
        }

        return project.WithEndpoint("http", endpoint => endpoint.Port = port);
    }
}
