namespace Sensors360.Monitoring.Prediction;

/// <summary>The risk model's inputs, derived from a sensor's features and its age on the fleet's survival curve.</summary>
public static class ModelInputs
{
    public static readonly string[] Names = ["interval", "trend", "missed", "variability", "flaps", "age"];

    /// <summary>
    /// log₂ of the ratios (a doubling counts the same at any scale), clipped so one extreme sensor cannot dominate the
    /// fit; the age input is the log of the 7-day failure probability at the sensor's age by the survival curve alone.
    /// </summary>
    public static double[] Of(SensorFeatures f, Weibull ageCurve, bool ageKnown = true) =>
    [
        Math.Clamp(Math.Log2(Math.Max(f.IntervalRatio, 1e-3)), -3, 6),
        Math.Clamp(f.TrendLog2, -4, 6),
        Math.Clamp(f.MissedRatio, 0, 1),
        Math.Clamp(Math.Log2(Math.Max(f.VariabilityRatio, 1e-3)), -3, 4),
        Math.Log(1 + f.Flaps),
        ageKnown ? Math.Log(Math.Max(ageCurve.FailureProbability(f.AgeDays, RiskModel.HorizonDays), 1e-6)) : UnknownAge,
    ];

    /// <summary>
    /// The age input while the fleet has no survival curve of its own (the prior curve describes another fleet): one
    /// constant for every sensor, so age neither raises nor lowers anyone's risk.
    /// </summary>
    public const double UnknownAge = 0;

    public const int Age = 5;
}
