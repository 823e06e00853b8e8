using Microsoft.Extensions.Options;
using Sensors360.Monitoring.Liveness;
using Sensors360.TestSupport;

namespace Monitor.Worker.Tests;

public sealed class MonitorOptionsTests
{
    [Fact]
    public void By_default_state_changes_and_risk_models_are_kept_as_long_as_heartbeats()
    {
        var settings = Resolve();

        Assert.Equal(90, settings.RetentionDays);
        Assert.Null(settings.StateChangeRetentionDays);
        Assert.Equal(90, settings.EffectiveStateChangeRetentionDays);
        Assert.Equal(90, settings.RiskModelRetentionDays);
    }

    [Theory]
    [InlineData("365", 365)]
    [InlineData("30", 30)]
    // Shorter heartbeat retention does not shorten the state changes below the longest uptime window, which reads them.
    [InlineData("7", 30)]
    public void Unset_state_change_retention_follows_the_heartbeats_but_never_below_30_days(string retentionDays, int expected) =>
        Assert.Equal(expected, Resolve(("Monitor:RetentionDays", retentionDays)).EffectiveStateChangeRetentionDays);

    [Fact]
    public void A_state_change_retention_that_is_set_wins_over_the_heartbeats()
    {
        var settings = Resolve(("Monitor:RetentionDays", "30"), ("Monitor:StateChangeRetentionDays", "400"));

        Assert.Equal(400, settings.EffectiveStateChangeRetentionDays);
    }

    [Theory]
    [InlineData("Monitor:StateChangeRetentionDays", "29", "StateChangeRetentionDays")]
    [InlineData("Monitor:StateChangeRetentionDays", "3651", "StateChangeRetentionDays")]
    [InlineData("Monitor:RiskModelRetentionDays", "0", "RiskModelRetentionDays")]
    [InlineData("Monitor:RiskModelRetentionDays", "3651", "RiskModelRetentionDays")]
    [InlineData("Monitor:RetentionDays", "0", "RetentionDays")]
    public void A_retention_out_of_range_is_refused_naming_it(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve((key, value)));
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("90", null, 400)]
    [InlineData("500", null, 500)]
    [InlineData("90", "90", 90)]
    public void Hourly_roll_ups_outlive_the_heartbeats_unless_set(string retentionDays, string? hourlyDays, int expected)
    {
        (string, string)[] settings = hourlyDays is null
            ? [("Monitor:RetentionDays", retentionDays)]
            : [("Monitor:RetentionDays", retentionDays), ("Monitor:HourlyRetentionDays", hourlyDays)];
        Assert.Equal(expected, Resolve(settings).EffectiveHourlyRetentionDays);
    }

    [Fact]
    public void Hourly_roll_ups_kept_for_less_than_the_heartbeats_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Resolve(("Monitor:RetentionDays", "90"), ("Monitor:HourlyRetentionDays", "30")));
        Assert.Contains("HourlyRetentionDays (30) must not be shorter than RetentionDays (90)", error.Message);
    }

    static MonitorOptions Resolve(params (string Key, string Value)[] settings) =>
        SettingsHarness.Resolve<MonitorOptions>(MonitorOptions.Section, settings);
}
