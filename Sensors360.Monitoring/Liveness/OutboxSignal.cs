namespace Sensors360.Monitoring.Liveness;

/// <summary>Wakes the worker's outbox relay as soon as a transaction wrote events, instead of at its next poll.</summary>
public sealed class OutboxSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // another writer signalled at the same moment: one wake-up covers both
            }
        }
    }

    /// <returns>Whether a writer signalled (false: the timeout passed).</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
