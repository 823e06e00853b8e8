using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Tests.Analytics;

public sealed class LifespansTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static DateTimeOffset Nov(int day) => new(2026, 11, day, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_default_dead_after_is_seven_days() => Assert.Equal(TimeSpan.FromDays(7), Lifespans.DefaultDeadAfter);

    [Fact]
    public void A_sensor_never_heard_from_has_no_life() =>
        Assert.Null(Lifespans.Of(null, null, null, null, Now, Week));

    [Fact]
    public void A_retired_sensor_never_heard_from_has_no_life() =>
        Assert.Null(Lifespans.Of(null, null, null, Nov(20), Now, Week));

    [Fact]
    public void A_reporting_sensor_is_censored_at_now()
    {
        // First heartbeat 1 Nov, heard 3 days ago: alive, at least 30 days so far.
        var life = Lifespans.Of(Nov(1), Nov(28), Nov(28), null, Now, Week);

        Assert.Equal(new Life(TimeSpan.FromDays(30), Ended: false), life);
    }

    [Fact]
    public void A_retired_sensor_ends_at_retirement()
    {
        // First heartbeat 1 Nov, last one 20 Nov, retired 21 Nov: 20 days.
        var life = Lifespans.Of(Nov(1), Nov(20), Nov(20), Nov(21), Now, Week);

        Assert.Equal(new Life(TimeSpan.FromDays(20), Ended: true), life);
    }

    [Fact]
    public void A_sensor_silent_longer_than_dead_after_ends_at_its_last_heartbeat()
    {
        // First 1 Nov, last 15 Nov (received 5 s later), silent 16 days > 7: dead, 14 days.
        var life = Lifespans.Of(Nov(1), Nov(15), Nov(15).AddSeconds(5), null, Now, Week);

        Assert.Equal(new Life(TimeSpan.FromDays(14), Ended: true), life);
    }

    [Fact]
    public void A_sensor_silent_exactly_dead_after_is_still_alive()
    {
        // Received 24 Nov, now 1 Dec: silent exactly 7 days, which does not exceed the limit.
        var life = Lifespans.Of(Nov(1), Nov(24), Nov(24), null, Now, Week);

        Assert.Equal(new Life(TimeSpan.FromDays(30), Ended: false), life);
    }

    [Fact]
    public void A_sensor_retired_long_after_it_died_ends_at_its_last_heartbeat()
    {
        // First 1 Nov, last 5 Nov, retired 25 Nov: silent 20 days > 7 when retired, so it died on 5 Nov (4 days).
        var life = Lifespans.Of(Nov(1), Nov(5), Nov(5), Nov(25), Now, Week);

        Assert.Equal(new Life(TimeSpan.FromDays(4), Ended: true), life);
    }

    [Fact]
    public void A_sensor_retired_promptly_long_ago_ends_at_retirement()
    {
        // Retired 1 Jul, a day after its last heartbeat: long silent by now, but it was alive when retired.
        var retired = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var life = Lifespans.Of(retired.AddDays(-50), retired.AddDays(-1), retired.AddDays(-1), retired, Now, Week);

        Assert.Equal(new Life(TimeSpan.FromDays(50), Ended: true), life);
    }

    [Theory]
    [InlineData(RetirementReason.Decommissioned)]
    [InlineData(RetirementReason.ReplacedPreventively)]
    public void A_sensor_retired_alive_for_another_reason_than_failure_is_censored_at_retirement(RetirementReason reason)
    {
        // First 1 Nov, beating until retired on 21 Nov: 20 days, and it did not fail.
        var life = Lifespans.Of(Nov(1), Nov(21), Nov(21), Nov(21), Now, Week, reason);

        Assert.Equal(new Life(TimeSpan.FromDays(20), Ended: false), life);
        Assert.Equal(new Life(TimeSpan.FromDays(20), Ended: true), Lifespans.Of(Nov(1), Nov(21), Nov(21), Nov(21), Now, Week, RetirementReason.Failed));
    }

    [Fact]
    public void A_sensor_decommissioned_long_after_it_died_still_died()
    {
        var life = Lifespans.Of(Nov(1), Nov(5), Nov(5), Nov(25), Now, Week, RetirementReason.Decommissioned);

        Assert.Equal(new Life(TimeSpan.FromDays(4), Ended: true), life);
    }

    [Fact]
    public void A_single_heartbeat_long_ago_is_a_life_of_zero()
    {
        var life = Lifespans.Of(Nov(2), Nov(2), Nov(2), null, Now, Week);

        Assert.Equal(new Life(TimeSpan.Zero, Ended: true), life);
    }

    [Fact]
    public void A_sensor_clock_ahead_of_the_server_does_not_make_a_negative_life()
    {
        // The sensor's clock says 10:00; the server retired it at 09:59.
        var first = Nov(20).AddHours(10);
        var life = Lifespans.Of(first, first, first.AddMinutes(-1), first.AddMinutes(-1), Now, Week);

        Assert.Equal(new Life(TimeSpan.Zero, Ended: true), life);
    }

    [Fact]
    public void Mean_lifespan_counts_only_lives_that_ended()
    {
        // Ended: 10 and 20 days → 15. The 30-day life still going is left out.
        Life[] lives = [new(TimeSpan.FromDays(10), true), new(TimeSpan.FromDays(20), true), new(TimeSpan.FromDays(30), false)];

        Assert.Equal(15.0, Lifespans.MeanDays(lives)!.Value, precision: 12);
    }

    [Fact]
    public void Mean_lifespan_keeps_fractions_of_a_day() =>
        // 12 h and 1 day → 0.75 days.
        Assert.Equal(0.75, Lifespans.MeanDays([new(TimeSpan.FromHours(12), true), new(TimeSpan.FromDays(1), true)])!.Value, precision: 12);

    [Fact]
    public void Mean_lifespan_is_null_when_no_life_has_ended()
    {
        Assert.Null(Lifespans.MeanDays([]));
        Assert.Null(Lifespans.MeanDays([new(TimeSpan.FromDays(3), false)]));
    }
}
