namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// A sensor's predicted risk: P(fail within 7 and 30 days), the middle half of its predicted time to failure, and the
/// inputs that raised the risk most, in words.
/// </summary>
public sealed record RiskAssessment(
    long SensorId,
    DateTimeOffset At,
    double Risk7d,
    double Risk30d,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyList<string> Reasons,
    SensorFeatures Features,
    IReadOnlyList<Contribution> Contributions);

public static class RiskAssessor
{
    const double LongestWindowDays = 3650;

    public static RiskAssessment Assess(SensorFeatures features, RiskModel model, DateTimeOffset at)
    {
        var inputs = ModelInputs.Of(features, model.AgeCurve, model.AgeKnown);
        if (!model.AgeKnown)
        {
            // Whatever the model learnt about age, it cannot apply it without this fleet's own curve.
            inputs[ModelInputs.Age] = model.Means[ModelInputs.Age];
        }
        var risk7 = model.Probability(inputs);
        var contributions = model.Contributions(inputs);

        // Beyond the first week only age is assumed to matter: survive the week, then follow the age curve to day 30.
        var age = features.AgeDays;
        var laterSurvival = model.AgeCurve.Survival(age + 30) / Math.Max(model.AgeCurve.Survival(age + RiskModel.HorizonDays), 1e-300);
        var risk30 = 1 - (1 - risk7) * (double.IsFinite(laterSurvival) ? Math.Clamp(laterSurvival, 0, 1) : 0);

        // Read as a constant hazard over the coming week: the quartiles of the time to failure it implies.
        var hazardPerDay = -Math.Log(Math.Max(1 - risk7, 1e-12)) / RiskModel.HorizonDays;
        var start = Days(-Math.Log(0.75) / hazardPerDay);
        var end = Days(-Math.Log(0.25) / hazardPerDay);

        return new RiskAssessment(
            features.SensorId, at, risk7, Math.Max(risk30, risk7), at + start, at + end,
            RiskReasons.Describe(features, contributions, model.AgeCurve), features, contributions);
    }

    static TimeSpan Days(double days) => TimeSpan.FromDays(double.IsFinite(days) ? Math.Min(days, LongestWindowDays) : LongestWindowDays);
}
