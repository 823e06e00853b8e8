namespace Realtime.Gateway.Identity;

/// <summary>
/// A bearer token, stored as the SHA-256 of its value. Either a named API token with its own role (created by an
/// Admin, revocable) or a short-lived access token issued to a user by <c>POST /api/auth/token</c>, which acts with
/// that user's current role and dies with the user.
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }

    /// <summary>The API token's role; null for an access token (the user's role applies).</summary>
    public string? Role { get; set; }

    /// <summary>The user an access token acts for; null for an API token.</summary>
    public string? UserId { get; set; }

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
