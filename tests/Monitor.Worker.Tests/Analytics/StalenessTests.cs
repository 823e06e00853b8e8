using Monitor.Worker.Analytics;

namespace Monitor.Worker.Tests.Analytics;

public sealed class StalenessTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    private static StalenessInput Heard(double minutesAgo, TimeSpan? staleAfter = null, bool retired = false) =>
        new(Now.AddDays(-30), Now.AddMinutes(-minutesAgo), retired ? Now.AddDays(-1) : null, staleAfter);

    private static StalenessInput NeverHeard(double registeredMinutesAgo) =>
        new(Now.AddMinutes(-registeredMinutesAgo), null, null, null);

    [Fact]
    public void The_default_threshold_is_ten_minutes() =>
        Assert.Equal(TimeSpan.FromMinutes(10), Staleness.DefaultThreshold);

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, false)] // silence must exceed the threshold, not reach it
    [InlineData(10.01, true)]
    [InlineData(11, true)]
    public void A_sensor_is_stale_once_silent_longer_than_the_threshold(double minutesAgo, bool stale) =>
        Assert.Equal(stale, Staleness.IsStale(Heard(minutesAgo), Now, TenMinutes));

    [Fact]
    public void A_never_heard_sensor_younger_than_the_threshold_is_not_stale() =>
        Assert.False(Staleness.IsStale(NeverHeard(registeredMinutesAgo: 5), Now, TenMinutes));

    [Fact]
    public void A_never_heard_sensor_older_than_the_threshold_is_stale() =>
        Assert.True(Staleness.IsStale(NeverHeard(registeredMinutesAgo: 15), Now, TenMinutes));

    [Fact]
    public void A_longer_per_sensor_threshold_overrides_the_default()
    {
        // 20 min of silence: stale under the 10 min default, not under the sensor's own 30 min.
        Assert.True(Staleness.IsStale(Heard(20), Now, TenMinutes));
        Assert.False(Staleness.IsStale(Heard(20, staleAfter: TimeSpan.FromMinutes(30)), Now, TenMinutes));
    }

    [Fact]
    public void A_shorter_per_sensor_threshold_overrides_the_default() =>
        Assert.True(Staleness.IsStale(Heard(5, staleAfter: TimeSpan.FromMinutes(2)), Now, TenMinutes));

    [Fact]
    public void A_retired_sensor_is_never_stale() =>
        Assert.False(Staleness.IsStale(Heard(60 * 24 * 10, retired: true), Now, TenMinutes));

    [Fact]
    public void Percent_counts_stale_sensors_among_the_non_retired()
    {
        // Non-retired: 2, 20 (stale), 15-minute-old never-heard (stale), 5-minute-old never-heard, 40 with a 60 min
        // override. Retired and silent for days: left out of both counts. 2 stale of 5 → 40 %.
        StalenessInput[] sensors =
        [
            Heard(2), Heard(20), NeverHeard(15), NeverHeard(5), Heard(40, TimeSpan.FromMinutes(60)),
            Heard(60 * 24 * 3, retired: true),
        ];

        Assert.Equal(40.0, Staleness.Percent(sensors, Now, TenMinutes), precision: 12);
    }

    [Fact]
    public void Percent_is_zero_without_sensors() =>
        Assert.Equal(0.0, Staleness.Percent([], Now, TenMinutes));

    [Fact]
    public void Percent_is_zero_when_every_sensor_is_retired() =>
        Assert.Equal(0.0, Staleness.Percent([Heard(600, retired: true), Heard(5, retired: true)], Now, TenMinutes));

    [Fact]
    public void Percent_is_one_hundred_when_every_active_sensor_is_stale() =>
        Assert.Equal(100.0, Staleness.Percent([Heard(11), NeverHeard(60)], Now, TenMinutes));
}
