using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How Sensors 360's services prove to each other who is calling: each calling service holds a secret key (issued by
/// the AppHost as a secret parameter) and sends it as <c>Authorization: Service &lt;key&gt;</c>; a service behind the
/// front doors knows its callers' keys by name and answers no one else (401). The gateway also forwards the signed-in
/// operator's name and role, which the receiver believes only because the request carries the gateway's key.
/// </summary>
public static class ServiceAuthentication
{
    public const string SchemeName = "Service";
    public const string CallerClaim = "sensors360:service";
    public const string OperatorHeader = "X-Sensors360-Operator";
    public const string OperatorRoleHeader = "X-Sensors360-Operator-Role";
    /// <summary>The operator's IP address as the gateway saw it (for the audit log).</summary>
    public const string OperatorAddressHeader = "X-Sensors360-Operator-Address";
    public const string AddressClaim = "sensors360:address";

    /// <summary>
    /// This service answers only the callers named in <c>ServiceAuth:Callers</c>: a fallback policy makes every
    /// endpoint and static file need a caller's key, except the health probes (see <see cref="Extensions.MapDefaultEndpoints"/>).
    /// </summary>
    public static TBuilder AddServiceAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<ServiceAuthOptions>(ServiceAuthOptions.Section)
            .Validate(options => options.Callers.Count > 0,
                $"{ServiceAuthOptions.Section}:Callers names no service: give each allowed caller's key as {ServiceAuthOptions.Section}:Callers:<name>.")
            .Validate(options => options.Callers.Values.All(key => key.Length >= ServiceAuthOptions.MinimumKeyLength),
                $"Every {ServiceAuthOptions.Section}:Callers key must have at least {ServiceAuthOptions.MinimumKeyLength} characters.");
        builder.Services.AddSingleton<ServiceCallerKeys>();
        builder.Services.AddAuthentication(SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ServiceAuthenticationHandler>(SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(SchemeName).RequireClaim(CallerClaim).Build());
        return builder;
    }

    /// <summary>Authentication and authorization before anything that answers, static files included.</summary>
    public static WebApplication UseServiceAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The endpoints of <paramref name="group"/> answer only the named callers (others: 403).</summary>
    public static TBuilder RequireCallers<TBuilder>(this TBuilder group, params string[] callers) where TBuilder : IEndpointConventionBuilder =>
        group.RequireAuthorization(new AuthorizationPolicyBuilder(SchemeName).RequireClaim(CallerClaim, callers).Build());

    /// <summary>Sends this service's key (<c>ServiceAuth:Key</c>) on the client's requests to other Sensors 360 services.</summary>
    public static IHttpClientBuilder AddServiceKey(this IHttpClientBuilder http) =>
        http.AddHttpMessageHandler(services => new ServiceKeyHandler(services.GetRequiredService<IOptions<ServiceKeyOptions>>()));

    /// <summary>This service calls others with its key, <c>ServiceAuth:Key</c> (a tool may go without one).</summary>
    public static IServiceCollection AddServiceKeyOptions(this IServiceCollection services, bool required = true)
    {
        services.AddValidatedOptions<ServiceKeyOptions>(ServiceAuthOptions.Section)
            .Validate(options => options.Key.Length >= ServiceAuthOptions.MinimumKeyLength || (!required && options.Key.Length == 0),
                $"{ServiceAuthOptions.Section}:Key must be this service's key (at least {ServiceAuthOptions.MinimumKeyLength} characters), "
                + "as the AppHost issues it.");
        return services;
    }

    /// <summary>The value of the <c>Authorization</c> header that carries <paramref name="key"/>.</summary>
    public static string HeaderValue(string key) => $"{SchemeName} {key}";
}

/// <summary><c>ServiceAuth</c>: the keys of the services allowed to call this one, by caller name.</summary>
public sealed class ServiceAuthOptions
{
    public const string Section = "ServiceAuth";
    public const int MinimumKeyLength = 16;

    public Dictionary<string, string> Callers { get; set; } = new(StringComparer.Ordinal);
}

/// <summary><c>ServiceAuth:Key</c>: the key this service sends when it calls another Sensors 360 service.</summary>
public sealed class ServiceKeyOptions
{
    public string Key { get; set; } = "";
}

/// <summary>Adds <c>Authorization: Service &lt;key&gt;</c> to requests that carry no other credentials (when there is a key).</summary>
public sealed class ServiceKeyHandler(IOptions<ServiceKeyOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && options.Value.Key.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", ServiceAuthentication.HeaderValue(options.Value.Key));
        }
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// The configured callers' keys, hashed once: a key is found by comparing its digest in constant time with every
/// caller's, so neither a caller's name nor a key's length leaks through timing.
/// </summary>
public sealed class ServiceCallerKeys(IOptions<ServiceAuthOptions> options)
{
    readonly (string Name, byte[] Digest)[] _callers =
        options.Value.Callers.Select(caller => (caller.Key, Digest(caller.Value))).ToArray();

    /// <returns>The name of the caller whose key <paramref name="key"/> is, or null.</returns>
    public string? CallerOf(string key)
    {
        var presented = Digest(key);
        string? caller = null;
        foreach (var (name, digest) in _callers)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, digest))
            {
                caller = name;
            }
        }
        return caller;
    }

    static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>Identifies the calling service by its key (<see cref="ServiceCallerKeys"/>) and the operator it forwards.</summary>
public sealed class ServiceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServiceCallerKeys callers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    const string Prefix = ServiceAuthentication.SchemeName + " ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var caller = callers.CallerOf(authorization[Prefix.Length..].Trim());
        if (caller is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The service key is not known."));
        }

        var claims = new List<Claim> { new(ServiceAuthentication.CallerClaim, caller) };
        if (Request.Headers[ServiceAuthentication.OperatorHeader].ToString() is { Length: > 0 } operatorName)
        {
            claims.Add(new Claim(ClaimTypes.Name, operatorName));
        }
        if (Request.Headers[ServiceAuthentication.OperatorRoleHeader].ToString() is { Length: > 0 } role)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }
        if (Request.Headers[ServiceAuthentication.OperatorAddressHeader].ToString() is { Length: > 0 } address)
        {
            claims.Add(new Claim(ServiceAuthentication.AddressClaim, address));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ServiceAuthentication.SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, ServiceAuthentication.SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = ServiceAuthentication.SchemeName;
        return Refuse(StatusCodes.Status401Unauthorized, "Unauthorized",
            "This service answers only Sensors 360's own services: operators use the gateway, sensors the ingestion API. "
            + $"A service sends its key as 'Authorization: {ServiceAuthentication.SchemeName} <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Refuse(StatusCodes.Status403Forbidden, "Forbidden",
            $"The calling service ({Context.User.FindFirst(ServiceAuthentication.CallerClaim)?.Value}) may not use this endpoint.");

    Task Refuse(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
}
