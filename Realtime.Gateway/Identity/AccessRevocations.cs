using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Realtime.Gateway.Identity;

/// <summary>
/// Users whose access an Admin just took away (password reset, lock, role change, deletion). Their access tokens are
/// deleted in the change's own transaction; this tells the rest of the instance at once: session cookies issued
/// before the change have their security stamp checked on their next request instead of at the next
/// <see cref="GatewayOptions.SessionRevalidation"/>, and the user's WebSockets are closed (<see cref="Revoked"/>).
/// A revocation is remembered only that long: after it, the stamp check catches every older cookie by itself.
/// </summary>
public sealed class AccessRevocations(TimeProvider clock, IOptions<GatewayOptions> options)
{
    readonly ConcurrentDictionary<string, DateTimeOffset> revokedAt = new();

    /// <summary>Raised with the user id and a reason for the user's clients (a WebSocket close reason).</summary>
    public event Action<string, string>? Revoked;

    public void Revoke(string userId, string reason)
    {
        var now = clock.GetUtcNow();
        revokedAt[userId] = now;
        var keep = options.Value.SessionRevalidation + TimeSpan.FromMinutes(1);
        foreach (var (id, at) in revokedAt)
        {
            if (now - at > keep)
            {
                revokedAt.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, at));
            }
        }
        Revoked?.Invoke(userId, reason);
    }

    /// <summary>
    /// Whether <paramref name="user"/>'s access was revoked after a credential issued at <paramref name="issuedAt"/>
    /// (cookies carry it to the second, so a cookie issued within the second of a revocation is checked once more).
    /// </summary>
    public bool RevokedSince(ClaimsPrincipal user, DateTimeOffset? issuedAt) =>
        user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } userId
        && revokedAt.TryGetValue(userId, out var at)
        && (issuedAt is null || issuedAt <= at);
}
