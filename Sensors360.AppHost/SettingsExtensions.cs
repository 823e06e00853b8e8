using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

public static class SettingsExtensions
{
    /// <summary>
    /// Passes the AppHost's <paramref name="section"/> settings (e.g. <c>Alerting__Smtp__Host</c> given to the AppHost)
    /// on to the service as its own, but for the keys in <paramref name="except"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettings(
        this IResourceBuilder<ProjectResource> service, IConfiguration configuration, string section, string[]? except = null)
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null && except?.Contains(key) != true)
            {
                service.WithEnvironment(section + "__" + key.Replace(":", "__"), value);
            }
        }
        return service;
    }
}
