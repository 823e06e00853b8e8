using Ingestion.Api.Apis;
using Ingestion.Api.Credentials;
using Ingestion.Api.Heartbeats;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Sensors360.Messaging;

namespace Ingestion.Api.Admission;

/// <summary>
/// Who may send heartbeats now, decided before the body is read, in the order docs/api.md gives: the key (401,
/// 503 while the registry loads, 403 retired), the monitor's backlog (503), the key's rate (429 when it has no
/// heartbeat left); the endpoint charges the request's heartbeats once it has parsed the body (<see cref="KeyRateLimiter"/>).
/// </summary>
public static class HeartbeatAdmission
{
    public const string Policy = "heartbeat-sender";

    /// <summary>Marks the routes the backlog gate and the rate limit guard.</summary>
    sealed class HeartbeatRoute
    {
        public static readonly HeartbeatRoute Instance = new();
    }

    public static IServiceCollection AddHeartbeatAdmission(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .RequireAuthenticatedUser()
            // A retired sensor's key is known (so not 401) but refused: the handler's forbid answers 403.
            .RequireAssertion(context => context.User.Identity is HeartbeatCaller caller && caller.Sensor?.RetiredAt is null));
        services.AddSingleton<KeyRateLimiter>();
        return services;
    }

    /// <summary>The admission steps, in their order; call after the problem responses' middleware.</summary>
    public static WebApplication UseHeartbeatAdmission(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        UseBacklogGate(app);
        UseRateLimit(app);
        return app;
    }

    public static TBuilder RequireHeartbeatAdmission<TBuilder>(this TBuilder routes) where TBuilder : IEndpointConventionBuilder =>
        routes.RequireAuthorization(Policy).WithMetadata(HeartbeatRoute.Instance);

    /// <summary>
    /// Backpressure (<see cref="BacklogRule"/>): after the key, so a bad key is still 401 and a retired sensor still
    /// learns it is retired; before the rate limit, so a request refused for the backlog costs the key no token.
    /// </summary>
    static void UseBacklogGate(WebApplication app)
    {
        var backlog = app.Services.GetRequiredService<HeartbeatBacklog>();
        var options = app.Services.GetRequiredService<IOptions<IngestionOptions>>();
        app.Use((http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<HeartbeatRoute>() is null
                || BacklogRule.Excess(backlog.Current, options.Value.MaxBacklogMessages) is not { } excess)
            {
                return next(http);
            }
            var wait = HeartbeatProblems.RetryAfterSeconds(options.Value.BacklogRetryAfter);
            return HeartbeatProblems.RetryLater(http, StatusCodes.Status503ServiceUnavailable, wait, "Monitor behind",
                BacklogRule.Detail(excess, wait)).ExecuteAsync(http);
        });
    }

    /// <summary>The key's rate: a key with no heartbeat left is refused before its body is read (the endpoint charges).</summary>
    static void UseRateLimit(WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<KeyRateLimiter>();
        app.Use((http, next) =>
            http.GetEndpoint()?.Metadata.GetMetadata<HeartbeatRoute>() is null || limiter.CheckRequest(http) is not { } refused
                ? next(http)
                : refused.ExecuteAsync(http));
    }
}
