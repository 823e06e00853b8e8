using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// A Weibull survival curve by age in days: S(t) = exp(−(t / scale)^shape). Shape above 1 means wear-out: the older a
/// sensor, the likelier it fails soon.
/// </summary>
public sealed record Weibull(double Shape, double ScaleDays)
{
    // A fraction of a second: a life recorded as zero long still has to enter the logarithms.
    const double ShortestDays = 1e-5;

    public double Survival(double days) => Math.Exp(-CumulativeHazard(days));

    public double CumulativeHazard(double days) => Math.Pow(Math.Max(days, 0) / ScaleDays, Shape);

    /// <summary>P(fail within <paramref name="horizonDays"/> | alive at <paramref name="ageDays"/>).</summary>
    public double FailureProbability(double ageDays, double horizonDays) =>
        -double.ExpM1(-(CumulativeHazard(ageDays + horizonDays) - CumulativeHazard(ageDays)));

    /// <summary>
    /// The maximum-likelihood fit to lives that ended (events) and lives still going (right-censored), found by BFGS on
    /// (ln shape, ln scale) with the analytic gradient.
    /// </summary>
    public static Weibull Fit(IReadOnlyCollection<Life> lives)
    {
        var ended = lives.Select(l => l.Ended ? 1.0 : 0.0).ToArray();
        var events = ended.Sum();
        if (events < 1)
        {
            throw new ArgumentException("A Weibull fit needs at least one ended life.", nameof(lives));
        }
        // In units of the mean life the logarithms stay small, and the line search does not overflow.
        var unit = lives.Average(l => Math.Max(l.Duration.TotalDays, ShortestDays));
        var days = lives.Select(l => Math.Max(l.Duration.TotalDays, ShortestDays) / unit).ToArray();

        var objective = ObjectiveFunction.Gradient(
            p => NegativeLogLikelihood(p, days, ended),
            p => Gradient(p, days, ended));
        // The exponential fit (shape 1) is the usual starting point: total exposure over events.
        var start = Vector<double>.Build.DenseOfArray([0.0, Math.Log(days.Sum() / events)]);
        var result = new BfgsMinimizer(1e-8, 1e-10, 1e-12, 500).FindMinimum(objective, start);
        var point = result.MinimizingPoint;
        return new Weibull(ShapeOf(point), Math.Exp(point[1]) * unit);
    }

    static double NegativeLogLikelihood(Vector<double> p, double[] days, double[] ended)
    {
        double k = ShapeOf(p), logScale = p[1], sum = 0;
        for (var i = 0; i < days.Length; i++)
        {
            var u = Math.Log(days[i]) - logScale;
            sum += ended[i] * (Math.Log(k) - logScale + (k - 1) * u) - Power(k * u);
        }
        return -sum / days.Length;
    }

    // Shapes beyond e^±6 (0.0025 to 400) are not lives; the bound keeps trial steps finite.
    static double ShapeOf(Vector<double> p) => Math.Exp(Math.Clamp(p[0], -6, 6));

    // Capped so that a wild trial step of the line search gives a huge but finite value, which it then rejects.
    static double Power(double exponent) => Math.Exp(Math.Min(exponent, 700));

    static Vector<double> Gradient(Vector<double> p, double[] days, double[] ended)
    {
        double k = ShapeOf(p), logScale = p[1], gShape = 0, gScale = 0;
        for (var i = 0; i < days.Length; i++)
        {
            var u = Math.Log(days[i]) - logScale;
            var z = Power(k * u);
            gShape -= ended[i] * (1 + k * u) - k * z * u;
            gScale += k * (ended[i] - z);
        }
        return Vector<double>.Build.DenseOfArray([gShape / days.Length, gScale / days.Length]);
    }
}
