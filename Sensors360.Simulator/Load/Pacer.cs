namespace Sensors360.Simulator.Load;

/// <summary>
/// Spaces requests evenly to hold a target rate: request n is due at <c>start + n × period</c>, whoever sends it and
/// however late the previous one went out, so waking up late never lowers the rate. When the senders fall behind by
/// more than <c>maxBacklog</c> (the server is slower than the target), the requests they can no longer send in time
/// are skipped and counted, rather than sent afterwards in one burst. Lock-free; timestamps in any unit.
/// </summary>
public sealed class Pacer
{
    private readonly long _start;
    private readonly double _period;
    private readonly long _maxBacklog;
    private long _issued;
    private long _skipped;

    /// <param name="start">When request 0 is due, in the clock's ticks.</param>
    /// <param name="requestsPerSecond">The target; more than 0.</param>
    /// <param name="ticksPerSecond">The clock's frequency (e.g. <see cref="TimeProvider.TimestampFrequency"/>).</param>
    public Pacer(long start, double requestsPerSecond, long ticksPerSecond, TimeSpan maxBacklog)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        _start = start;
        _period = ticksPerSecond / requestsPerSecond;
        _maxBacklog = (long)(maxBacklog.TotalSeconds * ticksPerSecond);
    }

    /// <summary>Requests given out so far, skipped ones included.</summary>
    public long Issued => Volatile.Read(ref _issued);

    /// <summary>Requests skipped because the senders were more than the backlog behind.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Takes the next request's slot.</summary>
    /// <returns>When it is due: wait until then if that is later than <paramref name="now"/>.</returns>
    public long Next(long now) => Next(now, out _);

    /// <summary>Takes the next request's slot.</summary>
    /// <param name="slot">Its number: the n of <c>start + n × period</c>.</param>
    /// <returns>When it is due: wait until then if that is later than <paramref name="now"/>.</returns>
    public long Next(long now, out long slot)
    {
        while (true)
        {
            var n = Volatile.Read(ref _issued);
            var due = DueOf(n);
            var oldest = now - _maxBacklog;
            if (due < oldest)
            {
                var caughtUp = Math.Max(n + 1, (long)Math.Ceiling((oldest - _start) / _period));
                if (Interlocked.CompareExchange(ref _issued, caughtUp + 1, n) == n)
                {
                    Interlocked.Add(ref _skipped, caughtUp - n);
                    slot = caughtUp;
                    return DueOf(caughtUp);
                }
            }
            else if (Interlocked.CompareExchange(ref _issued, n + 1, n) == n)
            {
                slot = n;
                return due;
            }
        }
    }

    private long DueOf(long n) => _start + (long)Math.Round(n * _period);
}
