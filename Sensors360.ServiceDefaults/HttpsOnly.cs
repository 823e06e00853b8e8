using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What changes once a service has a certificate (<c>Kestrel:Certificates:Default:Path</c>, which the AppHost sets from
/// <c>Tls:CertificatePath</c>): it sends HSTS (see <see cref="Extensions.UseProblemResponses"/>), and plain HTTP stays open only for the health probes and what the service
/// names. A browser asking for a page over plain HTTP is redirected (307) to the same address over HTTPS; any other
/// plain-HTTP request is refused with 403 problem+json that names the HTTPS address — a redirect would not do for them:
/// most clients do not repeat a POST after a redirect, and one that follows silently keeps sending its credentials in
/// clear text first. Without a certificate nothing changes.
/// </summary>
public static class HttpsOnly
{
    public const string CertificateKey = "Kestrel:Certificates:Default:Path";

    /// <summary>The public HTTPS port (the AppHost passes it as <c>ASPNETCORE_HTTPS_PORT</c>), read as ASP.NET's redirection does.</summary>
    public const string PortKey = "HTTPS_PORT";

    public static bool HasCertificate(this IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[CertificateKey]);

    /// <summary>HSTS and HTTPS-only as described on the class; <paramref name="plainHttpAllowed"/>: requests still served over plain HTTP.</summary>
    public static WebApplication UseHttpsWhenCertificateConfigured(this WebApplication app, Func<HttpContext, bool>? plainHttpAllowed = null)
    {
        if (!app.Configuration.HasCertificate())
        {
            return app;
        }
        var configuredPort = app.Configuration.GetValue<int?>(PortKey);
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.IsHttps
                || request.Path.StartsWithSegments(Extensions.HealthEndpointPath)
                || request.Path.StartsWithSegments(Extensions.AlivenessEndpointPath)
                || plainHttpAllowed?.Invoke(context) == true)
            {
                return next(context);
            }

            var port = configuredPort ?? HttpsPortOfServer(context);
            var target = port is null
                ? null
                : $"https://{request.Host.Host}:{port}{(request.PathBase + request.Path).ToUriComponent()}{request.QueryString.ToUriComponent()}";
            if (target is not null && IsPageRequest(request))
            {
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = target;
                return Task.CompletedTask;
            }
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "HTTPS required",
                detail: (target is null ? "This service answers over HTTPS only." : $"This service answers over HTTPS only: send the request to {target}.")
                    + " Nothing was done. A password, token or cookie sent with this request crossed the network unencrypted.")
                .ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>A browser loading a page (what it would show in its address bar), not a script or an API call.</summary>
    static bool IsPageRequest(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (string.Equals(request.Headers["Sec-Fetch-Mode"], "navigate", StringComparison.OrdinalIgnoreCase)
            || request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase));

    static int? HttpsPortOfServer(HttpContext context) =>
        context.RequestServices.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(address => Uri.TryCreate(address.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .FirstOrDefault(uri => uri?.Scheme == Uri.UriSchemeHttps)?.Port;
}
