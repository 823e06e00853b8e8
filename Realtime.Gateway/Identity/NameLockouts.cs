using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using Realtime.Gateway.Infrastructure;

namespace Realtime.Gateway.Identity;

/// <summary>
/// Failed sign-ins for user names that have no usable account: names nobody holds, and accounts an Admin locked.
/// They are counted and locked out exactly as Identity counts and locks a real account (the same number of failures,
/// the same lockout time, the counter cleared when the lock is set), so neither the answers nor the lockout tell an
/// attacker which names exist. Kept in the database (<see cref="NameLockout"/>), like a real account's count, so that
/// every gateway replica counts the same failures: a failure is one statement that counts it and, at the limit, sets
/// the lockout, so failures arriving at once through several replicas are each counted once.
/// </summary>
/// <remarks>
/// A name forgets its failures a day after the last one; <see cref="NameLockoutPurge"/> deletes such rows. A flood of
/// random names is bounded by what a failure costs: each one first checks the password against a PBKDF2 hash
/// (600,000 iterations, about 0.3 s of one core here), so a gateway adds at most about 3 names a second per core,
/// under 300,000 a day. A row has the same size (about 100 bytes with its index entries) whatever name was sent,
/// because the name is kept as its SHA-256 — which also keeps a password typed into the name field out of the table.
/// </remarks>
public sealed class NameLockouts(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<IdentityOptions> identity)
{
    public static readonly TimeSpan Forget = TimeSpan.FromDays(1);

    const string Table = $"{GatewayDbContext.Schema}.{NameLockout.Table}";

    // The failures counted so far, this one included; those of a name forgotten ($3: the last failure before it) are not.
    const string Count = "(CASE WHEN l.last_failure_at > $3 THEN l.failed_count ELSE 0 END + 1)";

    // $1 name hash, $2 now, $3 forget failures before, $4 failures that lock, $5 end of a lockout set now.
    const string RecordFailureSql = $"""
        INSERT INTO {Table} AS l (name_hash, failed_count, locked_until, last_failure_at)
        VALUES ($1, CASE WHEN 1 >= $4 THEN 0 ELSE 1 END, CASE WHEN 1 >= $4 THEN $5 END, $2)
        ON CONFLICT (name_hash) DO UPDATE SET
            failed_count = CASE WHEN {Count} >= $4 THEN 0 ELSE {Count} END,
            locked_until = CASE WHEN {Count} >= $4 THEN $5 WHEN l.last_failure_at > $3 THEN l.locked_until END,
            last_failure_at = $2
        RETURNING CASE WHEN l.failed_count = 0 THEN l.locked_until END
        """;

    /// <summary>When the name's lockout ends, or null when it is not locked out now.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string normalizedName, CancellationToken cancellationToken)
    {
        // A lockout lasts at most a day (GatewayOptions.LockoutDuration), so one still running is never forgotten.
        await using var command = dataSource.CreateCommand($"SELECT locked_until FROM {Table} WHERE name_hash = $1 AND locked_until > $2");
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Hash(normalizedName) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime until ? new DateTimeOffset(until, TimeSpan.Zero) : null;
    }

    /// <summary>Counts a failure; returns the end of the lockout when this failure starts one.</summary>
    public async Task<DateTimeOffset?> RecordFailureAsync(string normalizedName, CancellationToken cancellationToken)
    {
        var lockout = identity.Value.Lockout;
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand(RecordFailureSql);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Hash(normalizedName) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now - Forget });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lockout.MaxFailedAccessAttempts });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + lockout.DefaultLockoutTimeSpan });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime until ? new DateTimeOffset(until, TimeSpan.Zero) : null;
    }

    /// <summary>Deletes the names whose last failure is over a day old; returns how many.</summary>
    public async Task<int> PurgeForgottenAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"DELETE FROM {Table} WHERE last_failure_at <= $1");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() - Forget });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static byte[] Hash(string normalizedName) => SHA256.HashData(Encoding.UTF8.GetBytes(normalizedName));
}
