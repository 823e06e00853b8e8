using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingestion.Api.Apis;

/// <summary>
/// The problem answers of the heartbeat routes, whether the endpoint gives them or one of the admission steps before
/// it (key, backlog, rate): one shape for all, see docs/api.md.
/// </summary>
public static class HeartbeatProblems
{
    /// <summary>Retry-After of a 503 while starting or when the broker did not confirm.</summary>
    public const int UnavailableRetryAfterSeconds = 2;

    /// <summary>Whole seconds for a Retry-After header: rounded up, at least 1.</summary>
    public static int RetryAfterSeconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));

    /// <summary>
    /// Every "not now" answer (503, 429): nothing was accepted, and <c>Retry-After</c> says in whole seconds when
    /// sending the same request again makes sense.
    /// </summary>
    public static ProblemHttpResult RetryLater(HttpContext http, int status, int retryAfterSeconds, string title, string detail)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problem(status, title, detail);
    }

    public static ProblemHttpResult Unauthorized(HttpContext http, string title, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Problem(StatusCodes.Status401Unauthorized, title, detail);
    }

    public static ProblemHttpResult Problem(int status, string title, string detail, int? itemIndex = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: itemIndex is { } index ? new Dictionary<string, object?> { ["itemIndex"] = index } : null);
}
