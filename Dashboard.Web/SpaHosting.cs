using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Web;

/// <summary>How the built dashboard is served: cache policy, security headers and the paths that are not the app's.</summary>
public static class SpaHosting
{
    /// <summary>Vite names every file under /assets/ by a hash of its content, so a URL there never changes meaning.</summary>
    public const string HashedAssetsPath = "/assets";

    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";

    /// <summary>Revalidate every time (ETag / Last-Modified make that a 304): a new build is picked up at once.</summary>
    public const string NoCacheControl = "no-cache";

    /// <summary>
    /// Only this origin's scripts, styles and connections (same-origin /api and /ws); nothing inline, no framing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    static readonly string[] GatewayPrefixes = ["/api", "/ws"];

    public static void SetCacheHeaders(StaticFileResponseContext context)
    {
        var request = context.Context.Request;
        var hashed = context.File.Name != "index.html" && request.Path.StartsWithSegments(HashedAssetsPath);
        context.Context.Response.Headers[HeaderNames.CacheControl] = hashed ? ImmutableCacheControl : NoCacheControl;
    }

    public static IApplicationBuilder UseDashboardSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        await next(context);
    });

    public static IEndpointRouteBuilder MapGatewayPathsAsNotFound(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in GatewayPrefixes)
        {
            // A catch-all also matches the bare prefix ("/ws").
            app.Map($"{prefix}/{{**rest}}", (HttpContext context) => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Not found",
                detail: $"'{context.Request.Path}' is served by the gateway (Realtime.Gateway), not by the dashboard's static host."))
                .ExcludeFromDescription();
        }
        return app;
    }
}
