using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Sensors360.Storage;

public static class DatabaseMigration
{
    /// <summary>
    /// Applies the context's migrations, and then <paramref name="alsoAlone"/>, while holding the session advisory lock
    /// <paramref name="lockKey"/> on the migrating connection: replicas starting together take turns. EF's own migration
    /// lock did not keep two from creating the same object (42723).
    /// </summary>
    public static async Task MigrateAloneAsync(this DatabaseFacade database, long lockKey, CancellationToken cancellationToken,
        Func<Task>? alsoAlone = null)
    {
        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockKey})", cancellationToken);
            await database.MigrateAsync(cancellationToken);
            if (alsoAlone is not null)
            {
                await alsoAlone();
            }
            await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockKey})", cancellationToken);
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }
}
