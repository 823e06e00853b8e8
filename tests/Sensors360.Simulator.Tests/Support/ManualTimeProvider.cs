namespace Sensors360.Simulator.Tests.Support;

/// <summary>
/// A clock that moves only when a test says so; its timers (Task.Delay, PeriodicTimer) fire inside
/// <see cref="Advance"/>. <see cref="WhenTimerCreated"/> tells a test that the code under test has started to wait.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _start = start;
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Timestamps follow the manual clock too (100 ns ticks since the start), so elapsed times are the clock's.</summary>
    public override long GetTimestamp() => (GetUtcNow() - _start).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Completes when the next timer is created (a wait has begun).</summary>
    public Task WhenTimerCreated()
    {
        lock (_lock)
        {
            return _timerCreated.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        TaskCompletionSource created;
        lock (_lock)
        {
            _timers.Add(timer);
            timer.Schedule(_now, dueTime, period);
            created = _timerCreated;
            _timerCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        created.SetResult();
        return timer;
    }

    /// <summary>Moves the clock and runs, on this thread, every timer callback that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }

        while (NextDue() is { } timer)
        {
            timer.Fire();
        }
    }

    private ManualTimer? NextDue()
    {
        lock (_lock)
        {
            var due = _timers.Where(t => t.Due <= _now).MinBy(t => t.Due);
            due?.Advance();
            return due;
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        public DateTimeOffset? Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Schedule(owner._now, dueTime, period);
            }

            return true;
        }

        public void Schedule(DateTimeOffset now, TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            _period = period;
        }

        /// <summary>Called under the owner's lock just before firing: the next due time, if periodic.</summary>
        public void Advance() =>
            Due = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? Due + _period : null;

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
