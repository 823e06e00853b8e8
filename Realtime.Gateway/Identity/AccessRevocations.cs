using System.Collections.Concurrent;
using System.Security.Claims;
using MassTransit;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;

namespace Realtime.Gateway.Identity;

/// <summary>
/// Users whose access an Admin just took away (password reset, lock, role change, deletion). Their access tokens are
/// deleted in the change's own transaction; this tells the rest of the instance at once: session cookies issued
/// before the change have their security stamp checked on their next request instead of at the next
/// <see cref="GatewayOptions.SessionRevalidation"/>, and the user's WebSockets are closed (<see cref="Revoked"/>).
/// A revocation is remembered only that long: after it, the stamp check catches every older cookie by itself.
/// Other gateway instances learn of it from <see cref="OperatorAccessRevoked"/> on the bus.
/// </summary>
public sealed partial class AccessRevocations(TimeProvider clock, IOptions<GatewayOptions> options, ILogger<AccessRevocations> logger)
{
    /// <summary>How long an Admin's request waits for the broker to take the event before it answers anyway.</summary>
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

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
    /// Revokes here at once, then tells the other instances. A broker that does not take the event within
    /// <see cref="PublishTimeout"/> only delays them: their cookies follow within SessionRevalidation regardless.
    /// </summary>
    public async Task RevokeEverywhereAsync(IPublishEndpoint bus, string userId, string reason)
    {
        Revoke(userId, reason);
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await bus.Publish(new OperatorAccessRevoked(userId, reason, clock.GetUtcNow()), timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogNotPublished(logger, ex, userId, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell other gateway instances that user {UserId}'s access was revoked ({Reason})")]
    static partial void LogNotPublished(ILogger logger, Exception exception, string userId, string reason);

    /// <summary>
    /// Whether <paramref name="user"/>'s access was revoked after a credential issued at <paramref name="issuedAt"/>
    /// (cookies carry it to the second, so a cookie issued within the second of a revocation is checked once more).
    /// </summary>
    public bool RevokedSince(ClaimsPrincipal user, DateTimeOffset? issuedAt) =>
        user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } userId
        && revokedAt.TryGetValue(userId, out var at)
        && (issuedAt is null || issuedAt <= at);
}
