using Sensors360.Monitoring.Prediction;

namespace Sensors360.Monitoring.Tests.Prediction;

public sealed class RiskAssessorTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    static SensorFeatures Features(double intervalRatio = 1, double ageDays = 100, int flaps = 0) =>
        new(7, ageDays, 600, 600, true, 21_600, 86_400, 1_209_600, intervalRatio, 0, 0, 1, flaps);

    // Log-odds = intercept + 1 × log₂(interval ratio): an even chance when the interval is as usual.
    static RiskModel Model(double intercept = 0, Weibull? curve = null) =>
        new("prior", Now, 0, 0, [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [intercept, 1, 0, 0, 0, 0, 0], curve ?? new Weibull(1, 1e9), "prior");

    [Fact]
    public void An_even_chance_within_7_days_gives_the_quartiles_of_a_constant_hazard_as_the_window()
    {
        var a = RiskAssessor.Assess(Features(), Model(), Now);

        // Hazard ln 2 / 7 per day: quartiles at ln(4/3)/h and ln 4/h days, i.e. 2.905 and 14 days.
        Assert.Equal(0.5, a.Risk7d, precision: 12);
        Assert.Equal(7 * Math.Log(4.0 / 3) / Math.Log(2), (a.WindowStart - Now).TotalDays, precision: 6);
        Assert.Equal(14, (a.WindowEnd - Now).TotalDays, precision: 6);
    }

    [Fact]
    public void After_the_first_week_the_age_curve_carries_the_risk_to_30_days()
    {
        var a = RiskAssessor.Assess(Features(ageDays: 150), Model(intercept: -2, new Weibull(2, 200)), Now);

        // risk7d = σ(−2) = 0.119203; S(180)/S(157) = exp(−0.9² + 0.785²) = exp(−0.193775);
        // risk30d = 1 − 0.880797 × 0.823846 = 0.274361 (worked by hand, not with the code's own functions).
        Assert.Equal(0.119203, a.Risk7d, precision: 6);
        Assert.Equal(0.274361, a.Risk30d, precision: 6);
        Assert.True(a.Risk30d > a.Risk7d);
    }

    [Fact]
    public void A_sensor_slowing_down_is_riskier_and_its_reason_says_by_how_much()
    {
        var steady = RiskAssessor.Assess(Features(), Model(intercept: -3), Now);
        var slowing = RiskAssessor.Assess(Features(intervalRatio: 1.4), Model(intercept: -3), Now);

        Assert.True(slowing.Risk7d > steady.Risk7d);
        Assert.Equal(["interval up 40% in 6 h"], slowing.Reasons);
        Assert.Empty(steady.Reasons);
    }

    [Fact]
    public void Age_counts_only_on_the_fleets_own_survival_curve()
    {
        var curve = new Weibull(2.5, 400);
        var model = new RiskModel("fitted", Now, 100, 10, [0, 0, 0, 0, 0, -5], [1, 1, 1, 1, 1, 1], [-3, 0, 0, 0, 0, 0, 1], curve, "fitted");
        var old = Features(ageDays: 700);
        var young = Features(ageDays: 10);

        var withOwnCurve = (Old: RiskAssessor.Assess(old, model, Now), Young: RiskAssessor.Assess(young, model, Now));
        var withPriorCurve = (Old: RiskAssessor.Assess(old, model with { AgeCurveKind = "prior" }, Now),
            Young: RiskAssessor.Assess(young, model with { AgeCurveKind = "prior" }, Now));

        Assert.True(withOwnCurve.Old.Risk7d > withOwnCurve.Young.Risk7d);
        Assert.Contains(withOwnCurve.Old.Reasons, r => r.StartsWith("700 days old", StringComparison.Ordinal));
        Assert.Equal(withPriorCurve.Old.Risk7d, withPriorCurve.Young.Risk7d);
        Assert.Equal(1 / (1 + Math.Exp(3)), withPriorCurve.Old.Risk7d, precision: 12);
    }

    [Theory]
    [InlineData(45, "45 s")]
    [InlineData(1_800, "30 min")]
    [InlineData(21_600, "6 h")]
    [InlineData(1_209_600, "14 days")]
    public void Spans_are_said_in_one_rounded_unit(double seconds, string expected) =>
        Assert.Equal(expected, RiskReasons.Span(seconds));
}
