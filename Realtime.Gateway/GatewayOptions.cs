using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

using Realtime.Gateway.Identity;

namespace Realtime.Gateway;

/// <summary>The <c>Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>User name of the Admin bootstrapped at start-up.</summary>
    [Required, RegularExpression(UserNames.Pattern)]
    public string AdminUserName { get; set; } = "admin";

    /// <summary>
    /// The bootstrapped Admin's password (the AppHost's <c>admin-password</c> parameter). When set, the Admin account
    /// is created with it, or has its password reset to it (and is unlocked) when it no longer matches.
    /// </summary>
    public string? AdminPassword { get; set; }

    /// <summary>
    /// Origins (scheme://host[:port]) allowed to open <c>/ws</c> besides the gateway's own origin.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Lifetime of bearer tokens from <c>POST /api/auth/token</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an account stays locked after 5 failed sign-ins.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often a browser session's security stamp is checked against the database. An Admin's change (a reset
    /// password, a lock, a role change, a deletion) ends the user's sessions at once, on other gateway instances through
    /// the bus (OperatorAccessRevoked); this interval bounds how late they follow should that message be lost.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SessionRevalidation { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sign-in attempts (login and token) per client address: a token bucket.</summary>
    [Required, ValidateObjectMembers]
    public AuthRateLimitOptions AuthRateLimit { get; set; } = new();

    /// <summary>Which proxies in front of the gateway may say who the client is (X-Forwarded-For).</summary>
    [Required, ValidateObjectMembers]
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    [Required, ValidateObjectMembers]
    public WebSocketRelayOptions WebSocket { get; set; } = new();
}

public sealed class AuthRateLimitOptions
{
    [Range(1, 100_000)]
    public int PerMinute { get; set; } = 30;

    [Range(1, 100_000)]
    public int Burst { get; set; } = 10;
}

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> (client address) and <c>X-Forwarded-Proto</c> (scheme) the gateway
/// believes. None by default: the headers are then ignored, whoever sends them, and the client address is the TCP
/// peer's. A header from any other peer is ignored too, so a client cannot name itself a fresh address.
/// </summary>
public sealed class ForwardedHeadersSettings : IValidatableObject
{
    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Trusted proxies a request passes through (entries of X-Forwarded-For read from the right).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }
        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/24).", [nameof(KnownNetworks)]);
        }
    }
}

public sealed class WebSocketRelayOptions
{
    /// <summary>
    /// Frames waiting for one client before it counts as too slow and is disconnected (snapshots coalesce). State
    /// changes arrive up to 1,000 at once (one outbox batch), so this holds a few batches.
    /// </summary>
    [Range(8, 100_000)]
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Largest message a client may send.</summary>
    [Range(64, 1024 * 1024)]
    public int MaxClientMessageBytes { get; set; } = 4096;

    /// <summary>Sensors one connection may follow at once.</summary>
    [Range(1, 10_000)]
    public int MaxSubscriptions { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A client that does not answer a ping within this time is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A send that takes longer than this (the client stopped reading) drops the client.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
