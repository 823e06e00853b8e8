using System.Data.Common;
using Npgsql;

namespace Monitor.Worker.Storage;

/// <summary>
/// Tells a database that is briefly unavailable (stopped, restarting, refusing connections, a deadlock, no primary
/// during a promotion) from a message that can never be stored (e.g. a timestamp outside every partition).
/// </summary>
public static class TransientDatabaseFaults
{
    /// <summary>Reached a server that is (now) a standby: a promotion is under way or the host list is stale.</summary>
    const string ReadOnlyTransaction = "25006";

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // Npgsql marks connection failures, admin/crash shutdown, "starting up", deadlocks and serialization
            // failures as transient; constraint and "no partition" errors are not.
            if (e is DbException { IsTransient: true } or TimeoutException or PostgresException { SqlState: ReadOnlyTransaction })
            {
                return true;
            }
            // An Npgsql error the server did not send is about reaching a server, never about the message. Npgsql
            // leaves some unmarked: "No suitable host was found" when no server of the list is a primary (the old one
            // is down and known to be, the standby is not yet promoted).
            if (e is NpgsqlException and not PostgresException)
            {
                return true;
            }
        }
        return false;
    }
}
