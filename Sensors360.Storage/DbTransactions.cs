using Microsoft.EntityFrameworkCore;

namespace Sensors360.Storage;

public static class DbTransactions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction that it may save into several times (e.g. a row, then the audit
    /// entry naming its new id). On a transient failure the execution strategy replays it whole, from a clear change
    /// tracker, so <paramref name="work"/> must build its entities afresh each time.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(this DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(ct);
            await transaction.CommitAsync(ct);
            return result;
        }, cancellationToken);
}
