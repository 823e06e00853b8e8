namespace Realtime.Gateway.Identity;

/// <summary>
/// The failed sign-ins of one user name without a usable account (see <see cref="NameLockouts"/>), shared by every
/// gateway replica. The name is kept as the SHA-256 of its normalized form.
/// </summary>
public sealed class NameLockout
{
    public const string Table = "name_lockouts";

    public required byte[] NameHash { get; set; }

    /// <summary>Failures since the last lockout (or since the name was first seen); 0 right after a lockout is set.</summary>
    public int FailedCount { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset LastFailureAt { get; set; }
}
