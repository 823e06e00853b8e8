using Npgsql;

namespace Monitor.Worker;

/// <summary>
/// PostgreSQL session advisory locks that make one worker replica of several do a piece of work. A lock lives as long
/// as the connection that took it, so a worker that dies gives it up with its connection.
/// </summary>
public static class SessionLocks
{
    /// <summary>The status snapshot and the staleness scan: "S360" "WORK" in ASCII.</summary>
    public const long PeriodicWork = 0x5333_3630_574F_524B;

    /// <summary>Relaying the outbox: "S360" "OUTB" in ASCII.</summary>
    public const long OutboxRelay = 0x5333_3630_4F55_5442;

    /// <summary>A failure-prediction pass (scoring, and refitting the model): "S360" "RISK" in ASCII.</summary>
    public const long Scoring = 0x5333_3630_5249_534B;

    /// <summary>Applying the schema's migrations: "S360" "MIGR" in ASCII.</summary>
    public const long Migrations = 0x5333_3630_4D49_4752;

    public static async Task<bool> TryTakeAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.Add(new NpgsqlParameter<long>("key", key));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Gives the lock up while keeping the connection (a broken connection has already lost it).</summary>
    public static async Task ReleaseAsync(NpgsqlConnection connection, long key)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
        command.Parameters.Add(new NpgsqlParameter<long>("key", key));
        await command.ExecuteScalarAsync(CancellationToken.None);
    }
}
