using Sensors360.Monitoring.Prediction;

namespace Sensors360.Monitoring.Tests.Prediction;

public sealed class RiskModelTests
{
    static readonly Weibull Curve = new(2, 100);

    static (List<double[]> Inputs, List<bool> Labels) Sample(int count, Func<double[], double> trueLogOdds, int seed)
    {
        var random = new Random(seed);
        var inputs = new List<double[]>();
        var labels = new List<bool>();
        for (var i = 0; i < count; i++)
        {
            var x = Enumerable.Range(0, ModelInputs.Names.Length).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            inputs.Add(x);
            labels.Add(random.NextDouble() < 1 / (1 + Math.Exp(-trueLogOdds(x))));
        }
        return (inputs, labels);
    }

    [Fact]
    public void The_fit_recovers_the_probabilities_of_a_known_logistic_model()
    {
        static double Truth(double[] x) => -1 + 2 * x[0] - 1.5 * x[2];
        var (inputs, labels) = Sample(20_000, Truth, seed: 3);

        var model = RiskModel.Fit(inputs, labels, Curve, "prior", DateTimeOffset.UnixEpoch, penalty: 1e-6);

        foreach (var x in new[] { new[] { 0.0, 0, 0, 0, 0, 0 }, [1.0, 0, -1, 0, 0, 0], [-1.0, 1, 1, 1, 1, 1], [1.5, 0, 0, 0, 0, -2] })
        {
            var expected = 1 / (1 + Math.Exp(-Truth(x)));
            Assert.InRange(model.Probability(x), expected - 0.03, expected + 0.03);
        }
    }

    [Fact]
    public void At_the_optimum_the_mean_predicted_probability_equals_the_observed_failure_rate()
    {
        // The intercept is not penalised, so its likelihood equation Σ(pᵢ − yᵢ) = 0 holds whatever the penalty.
        var (inputs, labels) = Sample(3_000, x => -2 + x[1], seed: 11);

        var model = RiskModel.Fit(inputs, labels, Curve, "prior", DateTimeOffset.UnixEpoch, penalty: 0.1);

        var observed = labels.Count(l => l) / (double)labels.Count;
        Assert.Equal(observed, inputs.Average(model.Probability), precision: 4);
        Assert.Equal((labels.Count, labels.Count(l => l)), (model.Examples, model.Failures));
    }

    [Fact]
    public void Contributions_and_the_intercept_add_up_to_the_log_odds()
    {
        var model = new RiskModel("prior", DateTimeOffset.UnixEpoch, 0, 0,
            Means: [1, 0, 0, 0, 0, -5], Scales: [2, 1, 1, 1, 1, 1], Weights: [-3, 1, 0.5, 2, 0, 0, 0.25], Curve, "prior");
        double[] x = [3, 1, 0.5, 0, 0, -4];

        var contributions = model.Contributions(x);
        var logOdds = model.Weights[0] + contributions.Sum(c => c.LogOdds);

        // Interval: 1 × (3 − 1) / 2 = 1; trend 0.5; missed 1; age 0.25 × (−4 + 5) = 0.25; log-odds −3 + 2.75 = −0.25.
        Assert.Equal([1, 0.5, 1, 0, 0, 0.25], contributions.Select(c => c.LogOdds).ToArray());
        Assert.Equal(-0.25, logOdds, precision: 12);
        Assert.Equal(1 / (1 + Math.Exp(0.25)), model.Probability(x), precision: 12);
        Assert.Equal(ModelInputs.Names, contributions.Select(c => c.Feature).ToArray());
    }
}
