using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Tests.Analytics;

public sealed class KaplanMeierTests
{
    private static Life Died(double days) => new(TimeSpan.FromDays(days), Ended: true);

    private static Life Alive(double days) => new(TimeSpan.FromDays(days), Ended: false);

    private static void AssertPoint(SurvivalPoint expected, SurvivalPoint actual)
    {
        Assert.Equal(expected.Days, actual.Days, precision: 9);
        Assert.Equal(expected.Survival, actual.Survival, precision: 12);
        Assert.Equal((expected.AtRisk, expected.Events, expected.Censored), (actual.AtRisk, actual.Events, actual.Censored));
    }

    [Fact]
    public void Kaplan_Meier_of_the_textbook_example_with_ties_matches_the_hand_computation()
    {
        // Lives (days): 1†, 2†, 2+, 3†, 4+, 5†, 5†, 6+   († ended, + still alive)
        //   t=1: at risk 8, 1 ended          S = 1     × 7/8 = 0.875
        //   t=2: at risk 7, 1 ended, 1 alive S = 0.875 × 6/7 = 0.75  (the tied censoring is still at risk)
        //   t=3: at risk 5, 1 ended          S = 0.75  × 4/5 = 0.6
        //   t=4: at risk 4, 1 alive          S = 0.6
        //   t=5: at risk 3, 2 ended          S = 0.6   × 1/3 = 0.2
        //   t=6: at risk 1, 1 alive          S = 0.2
        // Median: first S ≤ 0.5 is at t=5. Restricted mean to τ=6:
        //   1×1 + 0.875×1 + 0.75×1 + 0.6×2 + 0.2×1 = 4.025 days.
        var estimate = KaplanMeier.Estimate([Alive(6), Died(5), Died(1), Alive(2), Died(3), Died(5), Alive(4), Died(2)]);

        SurvivalPoint[] expected =
        [
            new(0, 1, 8, 0, 0), new(1, 0.875, 8, 1, 0), new(2, 0.75, 7, 1, 1), new(3, 0.6, 5, 1, 0),
            new(4, 0.6, 4, 0, 1), new(5, 0.2, 3, 2, 0), new(6, 0.2, 1, 0, 1),
        ];
        Assert.Equal(expected.Length, estimate.Curve.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            AssertPoint(expected[i], estimate.Curve[i]);
        }

        Assert.Equal(5.0, estimate.MedianDays!.Value, precision: 9);
        Assert.Equal(4.025, estimate.RestrictedMeanDays, precision: 9);
        Assert.Equal(6.0, estimate.HorizonDays, precision: 9);
        Assert.Equal((8, 5), (estimate.Lives, estimate.Ended));
    }

    [Fact]
    public void The_confidence_band_is_Greenwoods_on_the_log_log_scale()
    {
        // Ten lives, one ending at day 1: S = 0.9, Σ d/(n(n−d)) = 1/90. On the log-log scale the 95 % band is
        // 0.9^exp(±1.96·√(1/90)/|ln 0.9|) = (0.4730, 0.9853), worked by hand.
        var estimate = KaplanMeier.Estimate([Died(1), .. Enumerable.Repeat(Alive(2), 9)]);

        var ended = estimate.Curve[1];
        Assert.Equal(0.9, ended.Survival, precision: 12);
        Assert.Equal(0.4730, ended.Lower, precision: 4);
        Assert.Equal(0.9853, ended.Upper, precision: 4);
        // Before any ending, and once nobody is left, there is nothing to be unsure of.
        Assert.Equal((1.0, 1.0), (estimate.Curve[0].Lower, estimate.Curve[0].Upper));
        var all = KaplanMeier.Estimate([Died(1), Died(2)]);
        Assert.Equal((0.0, 0.0), (all.Curve[^1].Lower, all.Curve[^1].Upper));
    }

    [Fact]
    public void The_band_narrows_as_the_fleet_grows()
    {
        static double Width(int lives)
        {
            var point = KaplanMeier.Estimate([.. Enumerable.Repeat(Died(1), lives / 2), .. Enumerable.Repeat(Alive(2), lives - lives / 2)]).Curve[1];
            Assert.InRange(point.Survival, point.Lower, point.Upper);
            return point.Upper - point.Lower;
        }
        Assert.True(Width(1000) < Width(100) && Width(100) < Width(10));
    }

    [Fact]
    public void Kaplan_Meier_with_no_lives_is_a_flat_start()
    {
        var estimate = KaplanMeier.Estimate([]);

        AssertPoint(new SurvivalPoint(0, 1, 0, 0, 0), Assert.Single(estimate.Curve));
        Assert.Null(estimate.MedianDays);
        Assert.Equal((0.0, 0.0, 0, 0), (estimate.RestrictedMeanDays, estimate.HorizonDays, estimate.Lives, estimate.Ended));
    }

    [Fact]
    public void Kaplan_Meier_with_no_events_has_no_median_and_a_restricted_mean_equal_to_the_horizon()
    {
        // Nobody ended: S stays 1, so the area up to τ = 9 days is 9.
        var estimate = KaplanMeier.Estimate([Alive(2), Alive(9), Alive(4)]);

        Assert.Null(estimate.MedianDays);
        Assert.Equal(9.0, estimate.RestrictedMeanDays, precision: 9);
        Assert.Equal(9.0, estimate.HorizonDays, precision: 9);
        Assert.All(estimate.Curve, point => Assert.Equal(1.0, point.Survival));
        Assert.Equal(0, estimate.Ended);
    }

    [Fact]
    public void Kaplan_Meier_with_only_events_falls_to_zero_and_its_restricted_mean_is_the_plain_mean()
    {
        // 2, 4, 6, 8 days, all ended: S = 3/4, 1/2, 1/4, 0. Median 4 (S reaches exactly 1/2 there).
        // Area: 2×1 + 2×0.75 + 2×0.5 + 2×0.25 = 5 = (2 + 4 + 6 + 8) / 4.
        var estimate = KaplanMeier.Estimate([Died(8), Died(2), Died(6), Died(4)]);

        Assert.Equal([1, 0.75, 0.5, 0.25, 0], estimate.Curve.Select(p => Math.Round(p.Survival, 12)));
        Assert.Equal(4.0, estimate.MedianDays!.Value, precision: 9);
        Assert.Equal(5.0, estimate.RestrictedMeanDays, precision: 9);
        Assert.Equal(8.0, estimate.HorizonDays, precision: 9);
    }

    [Fact]
    public void Kaplan_Meier_of_a_single_ended_life()
    {
        var estimate = KaplanMeier.Estimate([Died(3.5)]);

        Assert.Equal(2, estimate.Curve.Count);
        AssertPoint(new SurvivalPoint(3.5, 0, 1, 1, 0), estimate.Curve[1]);
        Assert.Equal(3.5, estimate.MedianDays!.Value, precision: 9);
        Assert.Equal(3.5, estimate.RestrictedMeanDays, precision: 9);
    }

    [Fact]
    public void Kaplan_Meier_of_a_single_life_still_going()
    {
        var estimate = KaplanMeier.Estimate([Alive(3.5)]);

        AssertPoint(new SurvivalPoint(3.5, 1, 1, 0, 1), estimate.Curve[1]);
        Assert.Null(estimate.MedianDays);
        Assert.Equal(3.5, estimate.RestrictedMeanDays, precision: 9);
    }

    [Fact]
    public void Kaplan_Meier_drops_at_zero_for_lives_of_zero_duration()
    {
        // 0†, 0†, 0+, 2†: at t=0 all 4 at risk, 2 ended → S = 2/4 = 0.5, the median. t=2: at risk 1, 1 ended → 0.
        // Area: nothing before 0, then 0.5 × 2 = 1.
        var estimate = KaplanMeier.Estimate([Died(0), Alive(0), Died(2), Died(0)]);

        AssertPoint(new SurvivalPoint(0, 1, 4, 0, 0), estimate.Curve[0]);
        AssertPoint(new SurvivalPoint(0, 0.5, 4, 2, 1), estimate.Curve[1]);
        AssertPoint(new SurvivalPoint(2, 0, 1, 1, 0), estimate.Curve[2]);
        Assert.Equal(0.0, estimate.MedianDays!.Value);
        Assert.Equal(1.0, estimate.RestrictedMeanDays, precision: 9);
    }

    [Fact]
    public void Kaplan_Meier_median_is_the_first_time_survival_reaches_one_half_despite_rounding()
    {
        // 24 lives ending on days 1..24: exactly S(12) = 12/24 = 1/2, but the product 23/24 × 22/23 × … × 12/13
        // comes out at 0.5000000000000001 in doubles. The median is 12, not 13.
        var estimate = KaplanMeier.Estimate(Enumerable.Range(1, 24).Select(day => Died(day)));

        Assert.Equal(12.0, estimate.MedianDays!.Value, precision: 9);
    }

    [Fact]
    public void Kaplan_Meier_median_is_null_when_survival_stays_above_one_half()
    {
        // 1†, 2+, 3+: S = 2/3 after day 1 and never drops again.
        Assert.Null(KaplanMeier.Estimate([Died(1), Alive(2), Alive(3)]).MedianDays);
    }

    [Fact]
    public void Kaplan_Meier_refuses_a_negative_duration() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KaplanMeier.Estimate([new Life(TimeSpan.FromTicks(-1), true)]));

    [Fact]
    public void Kaplan_Meier_is_exact_for_a_million_shuffled_lives()
    {
        // Lives of 1..n hours, all ended, in shuffled order. S after the k-th is (n − k)/n, so the median is at
        // k = n/2 = 500,000 h and the area is Σ_{k=0}^{n−1} (n − k)/n h = (n + 1)/2 h = 500,000.5 h.
        const int n = 1_000_000;
        var hours = Enumerable.Range(1, n).ToArray();
        new Random(7).Shuffle(hours);
        var lives = hours.Select(h => new Life(TimeSpan.FromHours(h), true)).ToArray();

        // Speed belongs in bench/, not here; this checks the answer at scale.
        var estimate = KaplanMeier.Estimate(lives);

        Assert.Equal(500_000 / 24.0, estimate.MedianDays!.Value, tolerance: 1e-6);
        Assert.Equal(500_000.5 / 24, estimate.RestrictedMeanDays, tolerance: 1e-4);
        Assert.Equal(n + 1, estimate.Curve.Count);
    }
}
