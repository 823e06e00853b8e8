using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sensors360.TestSupport;

public static class SettingsHarness
{
    /// <summary>
    /// A service's settings as the service takes them (<c>AddValidatedOptions</c>), from these configuration values
    /// over the class's defaults. Throws <see cref="OptionsValidationException"/> when they are not valid.
    /// </summary>
    public static TOptions Resolve<TOptions>(string section, params (string Key, string Value)[] settings) where TOptions : class
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddValidatedOptions<TOptions>(section);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<TOptions>>().Value;
    }
}
