using System.Data.Common;

namespace Monitor.Worker.Storage;

/// <summary>
/// Tells a database that is briefly unavailable (stopped, restarting, refusing connections, a deadlock) from a
/// message that can never be stored (e.g. a timestamp outside every partition).
/// </summary>
public static class TransientDatabaseFaults
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // Npgsql marks connection failures, admin/crash shutdown, "starting up", deadlocks and serialization
            // failures as transient; constraint and "no partition" errors are not.
            if (e is DbException { IsTransient: true } or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}
