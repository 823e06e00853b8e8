
namespace Sensors360.Simulator.Tests.Load;

public sealed class PacerTests
{
    // A clock in microseconds: the pacer only ever sees the numbers it is given.
    private const long Frequency = 1_000_000;

    [Fact]
    public void Slots_are_spaced_by_the_period_so_a_second_holds_exactly_the_rate()
    {
        var pacer = new Pacer(start: 0, requestsPerSecond: 100_000, Frequency, TimeSpan.FromSeconds(1));

        // Senders that always ask early (now = 0) get the schedule as it is.
        var dues = Enumerable.Range(0, 300_000).Select(_ => pacer.Next(now: 0)).ToList();

        Assert.Equal(100_000, dues.Count(d => d < Frequency));
        Assert.Equal(100_000, dues.Count(d => d >= Frequency && d < 2 * Frequency));
        Assert.All(dues.Zip(dues.Skip(1)), pair => Assert.Equal(10, pair.Second - pair.First));
        Assert.Equal(0, pacer.Skipped);
    }

    [Fact]
    public void A_fractional_period_does_not_drift()
    {
        // 3 requests/s: 333,333.33 µs apart.
        var pacer = new Pacer(start: 5, requestsPerSecond: 3, Frequency, TimeSpan.FromSeconds(1));

        var dues = Enumerable.Range(0, 3_001).Select(_ => pacer.Next(now: 0)).ToList();

        Assert.Equal(5 + (1_000 * Frequency), dues[^1]);
        Assert.Equal(3_000, dues.Count(d => d < 5 + (1_000 * Frequency)));
    }

    [Fact]
    public void Waking_up_late_does_not_lower_the_rate_the_next_slots_are_already_due()
    {
        var pacer = new Pacer(start: 0, requestsPerSecond: 1_000, Frequency, TimeSpan.FromSeconds(1));

        // A sender that comes back 300 ms late finds the slots it missed due now, not moved later.
        Assert.Equal(0, pacer.Next(now: 0));
        var late = Enumerable.Range(0, 300).Select(_ => pacer.Next(now: 300_000)).ToList();

        Assert.Equal(Enumerable.Range(1, 300).Select(n => n * 1_000L), late);
        Assert.Equal(0, pacer.Skipped);
    }

    [Fact]
    public void Falling_behind_by_more_than_the_backlog_skips_the_missed_slots_and_counts_them()
    {
        var pacer = new Pacer(start: 0, requestsPerSecond: 1_000, Frequency, TimeSpan.FromSeconds(1));
        Assert.Equal(0, pacer.Next(now: 0));

        // Stalled for 5 s: only the last second's slots are still sent; the 4 seconds before are skipped.
        var due = pacer.Next(now: 5 * Frequency);

        Assert.Equal(4 * Frequency, due);
        Assert.Equal(3_999, pacer.Skipped);
        Assert.Equal(4 * Frequency + 1_000, pacer.Next(now: 5 * Frequency));
    }

    [Fact]
    public void Concurrent_senders_share_the_schedule_without_taking_a_slot_twice()
    {
        var pacer = new Pacer(start: 0, requestsPerSecond: 1_000_000, Frequency, TimeSpan.FromSeconds(1));
        var dues = new long[8][];

        Parallel.For(0, 8, sender => dues[sender] = Enumerable.Range(0, 50_000).Select(_ => pacer.Next(now: 0)).ToArray());

        var all = dues.SelectMany(d => d).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 400_000).Select(n => (long)n), all);
        Assert.Equal(400_000, pacer.Issued);
    }
}
