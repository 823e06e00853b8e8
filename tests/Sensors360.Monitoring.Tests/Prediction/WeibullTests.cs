using Sensors360.Monitoring.Analytics;
using Sensors360.Monitoring.Prediction;

namespace Sensors360.Monitoring.Tests.Prediction;

public sealed class WeibullTests
{
    static Life Died(double days) => new(TimeSpan.FromDays(days), Ended: true);

    static Life Alive(double days) => new(TimeSpan.FromDays(days), Ended: false);

    [Fact]
    public void Survival_and_conditional_failure_follow_the_closed_form()
    {
        var curve = new Weibull(Shape: 2, ScaleDays: 10);

        // S(5) = exp(−(5/10)²) = exp(−0.25); P(fail by 10 | alive at 5) = 1 − exp(−(1 − 0.25)).
        Assert.Equal(Math.Exp(-0.25), curve.Survival(5), precision: 12);
        Assert.Equal(1 - Math.Exp(-0.75), curve.FailureProbability(5, 5), precision: 12);
        Assert.Equal(1 - curve.Survival(3), curve.FailureProbability(0, 3), precision: 12);
    }

    [Fact]
    public void Wear_out_makes_an_old_sensor_likelier_to_fail_in_the_next_week_than_a_young_one()
    {
        var wearOut = new Weibull(2.5, 400);
        var memoryless = new Weibull(1, 400);

        Assert.True(wearOut.FailureProbability(600, 7) > 5 * wearOut.FailureProbability(60, 7));
        Assert.Equal(memoryless.FailureProbability(60, 7), memoryless.FailureProbability(600, 7), precision: 12);
    }

    [Fact]
    public void The_fit_solves_the_likelihood_equations_of_a_small_censored_sample()
    {
        Life[] lives = [Died(3), Died(7), Alive(8), Died(11), Died(12), Alive(15), Died(19), Died(26)];

        var fit = Weibull.Fit(lives);

        // At the maximum, given the shape k: scale^k = Σ tᵢ^k / d, and
        // d/k + Σ_ended ln tᵢ − d·Σ tᵢ^k ln tᵢ / Σ tᵢ^k = 0 (d = number ended).
        var k = fit.Shape;
        double d = lives.Count(l => l.Ended), sumPower = 0, sumPowerLog = 0, sumEndedLog = 0;
        foreach (var life in lives)
        {
            var t = life.Duration.TotalDays;
            sumPower += Math.Pow(t, k);
            sumPowerLog += Math.Pow(t, k) * Math.Log(t);
            sumEndedLog += life.Ended ? Math.Log(t) : 0;
        }
        Assert.Equal(sumPower / d, Math.Pow(fit.ScaleDays, k), tolerance: 1e-6 * sumPower / d);
        Assert.Equal(0, d / k + sumEndedLog - d * sumPowerLog / sumPower, precision: 6);
    }

    [Fact]
    public void The_fit_recovers_the_parameters_of_a_large_sample_with_censoring()
    {
        var random = new Random(7);
        var lives = new List<Life>();
        for (var i = 0; i < 5_000; i++)
        {
            // Inverse CDF: t = scale · (−ln U)^(1/shape); observation ends at 500 days.
            var t = 400 * Math.Pow(-Math.Log(1 - random.NextDouble()), 1 / 2.5);
            lives.Add(t <= 500 ? Died(t) : Alive(500));
        }

        var fit = Weibull.Fit(lives);

        Assert.InRange(fit.Shape, 2.5 * 0.95, 2.5 * 1.05);
        Assert.InRange(fit.ScaleDays, 400 * 0.97, 400 * 1.03);
    }

    [Fact]
    public void Counting_censored_lives_as_deaths_would_shorten_the_curve()
    {
        Life[] honest = [Died(10), Died(20), Alive(30), Alive(30), Died(25)];
        Life[] naive = [.. honest.Select(l => l with { Ended = true })];

        Assert.True(Weibull.Fit(honest).ScaleDays > Weibull.Fit(naive).ScaleDays);
    }

    [Fact]
    public void A_fit_without_any_ended_life_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Weibull.Fit([Alive(3), Alive(5)]));
    }
}
