namespace Sensors360.Messaging;

/// <summary>
/// The ids of the last <c>capacity</c> messages a consumer handled, to drop a repeat: the monitor's outbox publishes an
/// event again, under the same message id, when the worker died between the broker's confirm and deleting the row.
/// Repeats come within seconds of the original, so a bounded window suffices.
/// </summary>
public sealed class RecentMessageIds(int capacity = 10_000)
{
    readonly Lock _gate = new();
    readonly HashSet<Guid> _seen = new(capacity);
    readonly Queue<Guid> _order = new(capacity);

    /// <returns>False when this id was seen within the window (a repeat); true otherwise, also for a message without an id.</returns>
    public bool FirstTime(Guid? messageId)
    {
        if (messageId is not { } id)
        {
            return true;
        }
        lock (_gate)
        {
            return Add(id);
        }
    }

    /// <summary>Whether this id was remembered within the window (false for a message without an id).</summary>
    public bool Seen(Guid? messageId)
    {
        lock (_gate)
        {
            return messageId is { } id && _seen.Contains(id);
        }
    }

    /// <summary>
    /// Remembers an id once the message was handled, for a consumer that may fail part-way: a message retried after a
    /// failure is then handled again rather than dropped as a repeat.
    /// </summary>
    public void Remember(Guid? messageId)
    {
        if (messageId is { } id)
        {
            lock (_gate)
            {
                Add(id);
            }
        }
    }

    bool Add(Guid id)
    {
        if (!_seen.Add(id))
        {
            return false;
        }
        _order.Enqueue(id);
        if (_order.Count > capacity)
        {
            _seen.Remove(_order.Dequeue());
        }
        return true;
    }
}
