using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Monitor.Worker.Storage;
using Sensors360.Contracts;
using Sensors360.Messaging;
using Sensors360.Monitoring.Liveness;

namespace Monitor.Worker.Tests.Storage;

public sealed class IngestProgressTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(20);

    readonly FakeTimeProvider _clock = new(Now);

    static BacklogReading Ready(long messages, DateTimeOffset at) => new(BacklogState.Read, messages, at, null);

    static readonly BacklogReading Unreachable = new(BacklogState.Unreachable, null, null, "broker down");

    static Heartbeat[] Received(params int[] secondsAgo) => [.. secondsAgo.Select(s => new Heartbeat(1, Now, Now.AddSeconds(-s)))];

    [Fact]
    public void While_a_batch_is_being_stored_the_watermark_is_its_oldest_receipt()
    {
        var progress = new IngestProgress(_clock);
        using var batch = progress.Begin(Received(40, 30, 35));
        Assert.Equal(Now.AddSeconds(-40), progress.Watermark(Ready(500, Now), Settle));
    }

    [Fact]
    public void The_oldest_of_several_batches_in_flight_counts_and_a_finished_one_no_longer()
    {
        var progress = new IngestProgress(_clock);
        var older = progress.Begin(Received(50));
        using var newer = progress.Begin(Received(10));
        older.Dispose();
        Assert.Equal(Now.AddSeconds(-10), progress.Watermark(Ready(0, Now), Settle));
    }

    [Fact]
    public void An_empty_queue_with_nothing_in_flight_is_caught_up_as_of_the_reading_less_the_delivery_gap()
    {
        var progress = new IngestProgress(_clock);
        Assert.Equal(Now.AddSeconds(-1) - Settle, progress.Watermark(Ready(0, Now.AddSeconds(-1)), Settle));
        Assert.Equal(Now - Settle, progress.Watermark(new BacklogReading(BacklogState.QueueMissing, null, null, null), Settle));
    }

    [Fact]
    public void Waiting_messages_hold_the_watermark_at_the_newest_stored_heartbeat()
    {
        var progress = new IngestProgress(_clock);
        progress.Stored(Received(90, 70));
        Assert.Equal(Now.AddSeconds(-70), progress.Watermark(Ready(12, Now), Settle));
    }

    [Fact]
    public void Messages_delivered_here_and_not_yet_being_stored_hold_the_watermark_though_the_queue_reads_empty()
    {
        // A worker just started: the broker handed it the whole backlog (so it reads empty) before the consumer began.
        var progress = new IngestProgress(_clock);
        progress.Stored(Received(90, 70));
        progress.Delivered();
        progress.Delivered();
        Assert.Equal(Now.AddSeconds(-70), progress.Watermark(Ready(0, Now), Settle));
        var fresh = new IngestProgress(_clock);
        fresh.Delivered();
        Assert.Equal(DateTimeOffset.MinValue, fresh.Watermark(Ready(0, Now), Settle));

        progress.Settled();
        Assert.Equal(Now.AddSeconds(-70), progress.Watermark(Ready(0, Now), Settle));
        progress.Settled();
        Assert.Equal(Now - Settle, progress.Watermark(Ready(0, Now), Settle));
    }

    [Fact]
    public void Nothing_stored_yet_while_messages_wait_or_before_the_first_reading_judges_no_deadline()
    {
        var progress = new IngestProgress(_clock);
        Assert.Equal(DateTimeOffset.MinValue, progress.Watermark(Ready(3, Now), Settle));
        Assert.Equal(DateTimeOffset.MinValue, new IngestProgress(_clock).Watermark(new BacklogReading(BacklogState.NotReadYet, null, null, null), Settle));
    }

    [Fact]
    public void An_unreachable_broker_keeps_the_last_reading()
    {
        var caughtUp = new IngestProgress(_clock);
        caughtUp.Watermark(Ready(0, Now), Settle);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Now.AddSeconds(30) - Settle, caughtUp.Watermark(Unreachable, Settle));

        var behind = new IngestProgress(_clock);
        behind.Stored(Received(5));
        behind.Watermark(Ready(100, Now), Settle);
        Assert.Equal(Now.AddSeconds(-5), behind.Watermark(Unreachable, Settle));
    }

    [Fact]
    public void The_lag_is_unknown_only_when_no_deadline_can_be_judged()
    {
        Assert.Null(IngestLag.Seconds(Now, DateTimeOffset.MinValue));
        Assert.Equal(12.5, IngestLag.Seconds(Now, Now.AddSeconds(-12.5)));
        Assert.Equal(0, IngestLag.Seconds(Now, Now.AddSeconds(1)));
        Assert.True(IngestLag.IsBehind(null, TimeSpan.FromSeconds(10)));
        Assert.True(IngestLag.IsBehind(10.1, TimeSpan.FromSeconds(10)));
        Assert.False(IngestLag.IsBehind(10, TimeSpan.FromSeconds(10)));
    }
}
