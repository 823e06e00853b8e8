using Sensors360.Monitoring.Analytics;
using Sensors360.Monitoring.Model;
using static Sensors360.Monitoring.Model.SensorState;

namespace Sensors360.Monitoring.Tests.Analytics;

public sealed class UptimeTests
{
    // A 10-hour window.
    private static readonly DateTimeOffset From = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddHours(10);

    private static StateFlip Flip(double hoursFromStart, SensorState to) => new(From.AddHours(hoursFromStart), to);

    private static double? Fraction(SensorState stateAtFrom, params StateFlip[] flips) =>
        Uptime.Fraction(From, To, stateAtFrom, flips);

    [Fact]
    public void A_sensor_up_throughout_the_window_has_full_uptime() => Assert.Equal(1.0, Fraction(Up));

    [Fact]
    public void A_sensor_down_throughout_the_window_has_zero_uptime() => Assert.Equal(0.0, Fraction(Down));

    [Fact]
    public void Late_counts_as_up()
    {
        // Up 0–1 h, late 1–3 h, down 3–8 h, up 8–10 h: alive 3 + 2 = 5 h of 10 → 0.5.
        Assert.Equal(0.5, Fraction(Up, Flip(1, Late), Flip(3, Down), Flip(8, Up)));
    }

    [Fact]
    public void Flips_before_the_window_only_set_the_starting_state()
    {
        // Whole history from New: up 5 h before, down 1 h before, up again at 2 h.
        // In the window: down 0–2 h, up 2–10 h → 8/10.
        Assert.Equal(0.8, Fraction(New, Flip(-5, Up), Flip(-1, Down), Flip(2, Up))!.Value, precision: 12);
    }

    [Fact]
    public void A_flip_at_the_start_of_the_window_applies_to_the_whole_window() =>
        Assert.Equal(0.0, Fraction(Up, Flip(0, Down)));

    [Fact]
    public void Flips_after_the_window_are_ignored() =>
        Assert.Equal(1.0, Fraction(Up, Flip(10, Down), Flip(12, Late)));

    [Fact]
    public void Flips_may_come_in_any_order()
    {
        // Same as Late_counts_as_up, shuffled.
        Assert.Equal(0.5, Fraction(Up, Flip(8, Up), Flip(1, Late), Flip(3, Down)));
    }

    [Fact]
    public void Retirement_inside_the_window_ends_the_observed_part()
    {
        // Up 0–4 h, down 4–6 h, retired at 6 h: 4 h alive of 6 h observed → 2/3.
        Assert.Equal(4.0 / 6, Fraction(Up, Flip(4, Down), Flip(6, Retired))!.Value, precision: 12);
    }

    [Fact]
    public void Time_before_the_first_heartbeat_is_not_observed()
    {
        // New until 5 h, up 5–7 h, down 7–10 h: 2 h alive of 5 h observed → 0.4.
        Assert.Equal(0.4, Fraction(New, Flip(5, Up), Flip(7, Down))!.Value, precision: 12);
    }

    [Fact]
    public void A_window_before_the_first_heartbeat_has_no_uptime() =>
        Assert.Null(Fraction(New, Flip(11, Up)));

    [Fact]
    public void A_window_after_retirement_has_no_uptime() => Assert.Null(Fraction(Retired));

    [Fact]
    public void An_empty_window_has_no_uptime() => Assert.Null(Uptime.Fraction(From, From, Up, []));

    [Fact]
    public void A_window_ending_before_it_starts_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Uptime.Fraction(To, From, Up, []));

    [Fact]
    public void Flips_at_the_same_instant_apply_in_the_order_given()
    {
        // At 4 h the sensor goes down and straight back up: no time is spent down.
        Assert.Equal(1.0, Fraction(Up, Flip(4, Down), Flip(4, Up)));
    }
}
