using Microsoft.Extensions.Hosting;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Monitor.Worker.Storage;

/// <summary>
/// How far this worker's storing has got: the moment before which every accepted heartbeat is stored (the
/// watermark), from the batches it is storing now and the heartbeats queue's backlog. The staleness scan judges
/// deadlines as of the watermark, never as of "now": a sensor whose heartbeat may still wait unread in the queue is
/// not called late or down.
/// </summary>
public sealed class IngestProgress(TimeProvider clock)
{
    readonly Lock _gate = new();
    readonly Dictionary<long, DateTimeOffset> _inFlight = [];
    long _nextBatch;
    DateTimeOffset? _newestStored;
    bool? _lastSeenEmpty;
    int _delivered;

    /// <summary>
    /// A heartbeats message reached this worker (see <see cref="HeartbeatDeliveries"/>): from now until
    /// <see cref="Settled"/> it is not in the broker's count, and until <see cref="Begin"/> nothing says how old it is.
    /// </summary>
    public void Delivered() => Interlocked.Increment(ref _delivered);

    /// <summary>A delivered message was acknowledged, or given back to the broker.</summary>
    public void Settled() => Interlocked.Decrement(ref _delivered);

    /// <summary>Marks heartbeats as being stored until the returned handle is disposed.</summary>
    public IDisposable Begin(IReadOnlyCollection<Heartbeat> heartbeats)
    {
        if (heartbeats.Count == 0)
        {
            return new Batch(this, -1);
        }
        var oldest = heartbeats.Min(h => h.ReceivedAt);
        lock (_gate)
        {
            var id = _nextBatch++;
            _inFlight[id] = oldest;
            return new Batch(this, id);
        }
    }

    /// <summary>Records heartbeats as stored (committed).</summary>
    public void Stored(IReadOnlyCollection<Heartbeat> heartbeats)
    {
        if (heartbeats.Count == 0)
        {
            return;
        }
        var newest = heartbeats.Max(h => h.ReceivedAt);
        lock (_gate)
        {
            if (_newestStored is null || newest > _newestStored)
            {
                _newestStored = newest;
            }
        }
    }

    /// <summary>
    /// Everything received before the returned moment is stored, as far as this worker can tell, given the broker's
    /// latest <paramref name="backlog"/> reading. <paramref name="settle"/> is how long a delivered message may be
    /// neither in the broker's count nor yet being stored.
    /// </summary>
    public DateTimeOffset Watermark(BacklogReading backlog, TimeSpan settle)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            // The queue is first in, first out: what is being stored now is older than anything still waiting.
            if (_inFlight.Count > 0)
            {
                var oldest = _inFlight.Values.Min();
                return oldest < now ? oldest : now;
            }
            // Delivered and not yet being stored: a worker that just started takes its time over the first messages
            // (the broker then reads empty, its whole backlog being here), so only what is stored counts as read.
            if (Volatile.Read(ref _delivered) > 0)
            {
                return _newestStored ?? DateTimeOffset.MinValue;
            }

            var empty = backlog.State switch
            {
                BacklogState.Read => backlog.ReadyMessages == 0,
                BacklogState.QueueMissing => true,
                // The broker cannot be asked: nothing can be accepted without it either, so the last reading stands.
                BacklogState.Unreachable => _lastSeenEmpty,
                _ => null,
            };
            if (backlog.State is BacklogState.Read or BacklogState.QueueMissing)
            {
                _lastSeenEmpty = empty;
            }

            if (empty == true)
            {
                // Caught up as of the reading, less what may have been delivered then and still be forming a batch.
                var seen = backlog.State == BacklogState.Read && backlog.ReadAt is { } at && at < now ? at : now;
                return seen - settle;
            }
            // Messages wait (or nothing is known yet): everything up to the newest stored heartbeat is in; nothing is
            // known of the rest, so with nothing stored since start-up no deadline can be judged at all.
            return _newestStored ?? DateTimeOffset.MinValue;
        }
    }

    sealed class Batch(IngestProgress progress, long id) : IDisposable
    {
        public void Dispose()
        {
            if (id < 0)
            {
                return;
            }
            lock (progress._gate)
            {
                progress._inFlight.Remove(id);
            }
        }
    }
}
