namespace Monitor.Worker.Outbox;

public static class BoundedPublishing
{
    /// <summary>
    /// Publishes many messages, up to 64 at once: every publish waits for the broker's confirm, and one after the other
    /// those confirms held the worker for seconds when a fleet came online and thousands of sensors flipped at once.
    /// </summary>
    public static Task InParallelAsync<T>(IReadOnlyList<T> items, Func<T, CancellationToken, Task> publish, CancellationToken cancellationToken) =>
        items.Count switch
        {
            0 => Task.CompletedTask,
            1 => publish(items[0], cancellationToken),
            _ => Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (item, ct) => await publish(item, ct)),
        };
}
