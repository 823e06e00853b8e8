using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Realtime.Gateway.Identity;

/// <summary>
/// Failed sign-ins for user names that have no usable account: names nobody holds, and accounts an Admin locked.
/// They are counted and locked out exactly as Identity counts and locks a real account (the same number of failures,
/// the same lockout time, the counter cleared when the lock is set), so neither the answers nor the lockout tell an
/// attacker which names exist. Kept in memory per gateway instance, at most <see cref="Capacity"/> names; a name
/// forgets its failures a day after the last one.
/// </summary>
public sealed class NameLockouts(TimeProvider clock, IOptions<IdentityOptions> identity) : IDisposable
{
    public const int Capacity = 100_000;
    static readonly TimeSpan Forget = TimeSpan.FromDays(1);

    readonly MemoryCache names = new(new MemoryCacheOptions { SizeLimit = Capacity });

    sealed class Failures
    {
        public int Count;
        public DateTimeOffset? LockedUntil;
    }

    /// <summary>When the name's lockout ends, or null when it is not locked out now.</summary>
    public DateTimeOffset? LockedUntil(string normalizedName)
    {
        if (!names.TryGetValue(normalizedName, out Failures? failures) || failures is null)
        {
            return null;
        }
        lock (failures)
        {
            return failures.LockedUntil > clock.GetUtcNow() ? failures.LockedUntil : null;
        }
    }

    /// <summary>Counts a failure; returns the end of the lockout when this failure starts one.</summary>
    public DateTimeOffset? RecordFailure(string normalizedName)
    {
        var failures = names.GetOrCreate(normalizedName, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Forget;
            return new Failures();
        })!;
        var lockout = identity.Value.Lockout;
        lock (failures)
        {
            if (++failures.Count < lockout.MaxFailedAccessAttempts)
            {
                return null;
            }
            failures.Count = 0;
            failures.LockedUntil = clock.GetUtcNow() + lockout.DefaultLockoutTimeSpan;
            return failures.LockedUntil;
        }
    }

    public void Dispose() => names.Dispose();
}
