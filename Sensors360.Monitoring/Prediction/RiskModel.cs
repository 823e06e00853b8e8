using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Sensors360.Monitoring.Prediction;

/// <summary>One input of the risk model and its share of a sensor's log-odds.</summary>
public sealed record Contribution(string Feature, double Value, double LogOdds);

/// <summary>
/// A logistic model of P(fail within 7 days) on the model inputs (<see cref="ModelInputs"/>), standardised by the
/// training set's means and scales. <see cref="Weights"/>[0] is the intercept. Kind is "prior" (shipped, fitted by the
/// reference backtest) or "fitted" (from this fleet's own history).
/// </summary>
public sealed record RiskModel(
    string Kind,
    DateTimeOffset FittedAt,
    int Examples,
    int Failures,
    double[] Means,
    double[] Scales,
    double[] Weights,
    Weibull AgeCurve,
    string AgeCurveKind)
{
    public const double HorizonDays = 7;

    public const string Prior = "prior";

    public const string Fitted = "fitted";

    /// <summary>Whether the age curve is this fleet's own; a prior curve describes another fleet, so age is not used.</summary>
    public bool AgeKnown => AgeCurveKind == Fitted;

    public double Probability(double[] inputs) => Sigmoid(LogOdds(inputs));

    public IReadOnlyList<Contribution> Contributions(double[] inputs)
    {
        var list = new Contribution[inputs.Length];
        for (var j = 0; j < inputs.Length; j++)
        {
            list[j] = new Contribution(ModelInputs.Names[j], inputs[j], Weights[j + 1] * (inputs[j] - Means[j]) / Scales[j]);
        }
        return list;
    }

    double LogOdds(double[] inputs)
    {
        var z = Weights[0];
        for (var j = 0; j < inputs.Length; j++)
        {
            z += Weights[j + 1] * (inputs[j] - Means[j]) / Scales[j];
        }
        return z;
    }

    /// <summary>
    /// Maximum likelihood with an L2 penalty on the slopes (not the intercept), by BFGS with the analytic gradient.
    /// Inputs are standardised first so that one penalty suits them all.
    /// </summary>
    public static RiskModel Fit(
        IReadOnlyList<double[]> inputs, IReadOnlyList<bool> failed, Weibull ageCurve, string ageCurveKind, DateTimeOffset at, double penalty = 1e-3)
    {
        ArgumentOutOfRangeException.ThrowIfZero(inputs.Count);
        var n = inputs.Count;
        var d = inputs[0].Length;
        var means = new double[d];
        var scales = new double[d];
        for (var j = 0; j < d; j++)
        {
            var column = inputs.Select(x => x[j]).ToArray();
            means[j] = column.Average();
            var sd = Math.Sqrt(column.Sum(v => (v - means[j]) * (v - means[j])) / n);
            scales[j] = sd > 1e-9 ? sd : 1;
        }

        var x = Matrix<double>.Build.Dense(n, d + 1, (i, j) => j == 0 ? 1 : (inputs[i][j - 1] - means[j - 1]) / scales[j - 1]);
        var y = Vector<double>.Build.Dense(n, i => failed[i] ? 1 : 0);
        var objective = ObjectiveFunction.Gradient(w => Loss(w, x, y, penalty), w => LossGradient(w, x, y, penalty));
        var start = Vector<double>.Build.Dense(d + 1);
        var rate = Math.Clamp(y.Sum() / n, 1e-4, 1 - 1e-4);
        start[0] = Math.Log(rate / (1 - rate));
        var weights = new BfgsMinimizer(1e-7, 1e-10, 1e-12, 1000).FindMinimum(objective, start).MinimizingPoint.ToArray();
        return new RiskModel(Fitted, at, n, (int)y.Sum(), means, scales, weights, ageCurve, ageCurveKind);
    }

    static double Loss(Vector<double> w, Matrix<double> x, Vector<double> y, double penalty)
    {
        var z = x * w;
        var loss = 0.0;
        for (var i = 0; i < z.Count; i++)
        {
            // log(1 + e^z) − y·z, written to stay finite for large |z|.
            loss += Math.Max(z[i], 0) + double.LogP1(Math.Exp(-Math.Abs(z[i]))) - y[i] * z[i];
        }
        return loss / z.Count + penalty / 2 * SlopeNorm(w);
    }

    static Vector<double> LossGradient(Vector<double> w, Matrix<double> x, Vector<double> y, double penalty)
    {
        var residual = (x * w).Map(Sigmoid) - y;
        var gradient = x.TransposeThisAndMultiply(residual) / y.Count;
        for (var j = 1; j < w.Count; j++)
        {
            gradient[j] += penalty * w[j];
        }
        return gradient;
    }

    static double SlopeNorm(Vector<double> w)
    {
        var sum = 0.0;
        for (var j = 1; j < w.Count; j++)
        {
            sum += w[j] * w[j];
        }
        return sum;
    }

    static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
