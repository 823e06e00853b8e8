using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class ValidatedOptions
{
    /// <summary>
    /// How every service and tool takes its settings: <paramref name="section"/> bound to <typeparamref name="TOptions"/>
    /// and validated whole when the host starts — data annotations, members marked <c>[ValidateObjectMembers]</c> and
    /// <c>IValidatableObject</c> rules — so a bad value stops the process naming the setting.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
