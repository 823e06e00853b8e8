using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes a health report. Anyone gets the overall status, <c>{"status":"Healthy"}</c> (the status code says the same:
/// 200, or 503 when Unhealthy), which is all a probe needs. Only a caller that proved who it is (a signed-in operator at
/// the gateway, a service with its key) also gets each check, <c>"checks":{"name":{"status":..,"description":..}}</c>:
/// the checks' names and descriptions tell an outsider which dependencies there are and how they fail.
/// </summary>
public static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        object body = ShowsDetails(context)
            ? new
            {
                status = report.Status.ToString(),
                totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
                checks = report.Entries.ToDictionary(
                    e => e.Key,
                    e => new
                    {
                        status = e.Value.Status.ToString(),
                        description = e.Value.Description ?? e.Value.Exception?.Message,
                        durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                    }),
            }
            : new { status = report.Status.ToString() };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), cancellationToken: context.RequestAborted);
    }

    /// <summary>Whether the caller sees each check: only when authenticated.</summary>
    public static bool ShowsDetails(HttpContext context) => context.User.Identity?.IsAuthenticated == true;
}
