using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Sensors360.Audit;

/// <summary>Audit entries for the requests a service answers.</summary>
public static class AuditTrail
{
    /// <summary>
    /// An entry for the request's caller: <paramref name="actor"/> when given (a sign-in, before anyone is signed in),
    /// else the operator signed in (at the gateway) or forwarded by the gateway (at the worker), else the calling service.
    /// </summary>
    public static AuditEntry AuditEntry(
        this HttpContext context, DateTimeOffset at, string action, string? target, object? details = null, string? actor = null)
    {
        // PostgreSQL keeps microseconds: an entry read back must sort exactly as written.
        at = new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
        var user = context.User;
        return new AuditEntry
        {
            Id = Guid.CreateVersion7(at),
            At = at,
            Actor = actor
                ?? (user.Identity?.Name is { Length: > 0 } name ? name
                    : user.FindFirst(ServiceAuthentication.CallerClaim)?.Value is { } service ? "service:" + service
                    : "anonymous"),
            ActorRole = actor is null ? user.FindFirst(ClaimTypes.Role)?.Value : null,
            Address = user.FindFirst(ServiceAuthentication.AddressClaim)?.Value ?? context.Connection.RemoteIpAddress?.ToString(),
            Action = action,
            Target = target,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        };
    }
}
