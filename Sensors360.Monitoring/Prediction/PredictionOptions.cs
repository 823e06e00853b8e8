using System.ComponentModel.DataAnnotations;

namespace Sensors360.Monitoring.Prediction;

/// <summary>The <c>Monitor:Prediction</c> configuration section. The model: docs/predictive-maintenance.md.</summary>
public sealed class PredictionOptions : IValidatableObject
{
    public const string Section = "Monitor:Prediction";

    /// <summary>Whether the worker that runs the periodic work also scores the fleet.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every up or late sensor's risk is recomputed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScorePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the model is refitted from the fleet's own history.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan RefitPeriod { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A sensor is at risk from this probability of failing within 7 days.</summary>
    [Range(0.01, 0.99)]
    public double Threshold { get; set; } = 0.5;

    /// <summary>An at-risk sensor leaves the queue only below <see cref="Threshold"/> × this, so that it does not flap.</summary>
    [Range(0.1, 1.0)]
    public double ClearFactor { get; set; } = 0.8;

    /// <summary>Recent window, in expected intervals of the sensor (36 × 10 min = 6 h).</summary>
    [Range(4, 10_000)]
    public int RecentBeats { get; set; } = 36;

    /// <summary>Trend window, in expected intervals (144 × 10 min = 24 h).</summary>
    [Range(8, 100_000)]
    public int TrendBeats { get; set; } = 144;

    /// <summary>The baseline reaches back this many expected intervals (2016 × 10 min = 14 days)…</summary>
    [Range(16, 1_000_000)]
    public int BaselineBeats { get; set; } = 2016;

    /// <summary>…but never further back than this.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan BaselineMaxSpan { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Gaps needed in the baseline window to trust it; with fewer the sensor's expected interval is its baseline.</summary>
    [Range(2, 10_000)]
    public int MinBaselineGaps { get; set; } = 30;

    /// <summary>Training examples are feature snapshots taken once per this step, back to <see cref="TrainingSpan"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan TrainingStep { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a failure may take to be recorded (the sensor retired, or silent past Monitor:DeadAfter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan LabelDelay { get; set; } = TimeSpan.FromDays(3);

    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan TrainingSpan { get; set; } = TimeSpan.FromDays(60);

    /// <summary>Sensors scored per statement; a larger fleet is scored in slices of this many.</summary>
    [Range(100, 1_000_000)]
    public int ScoreSlice { get; set; } = 20_000;

    /// <summary>
    /// Slices scored at once, each over a database connection of its own. A slice's statements keep one database core
    /// busy, so more than the database server has cores gains nothing.
    /// </summary>
    [Range(1, 32)]
    public int ScoreConnections { get; set; } = 2;

    /// <summary>Sensors per training snapshot at most: a larger fleet is sampled uniformly (every k-th id).</summary>
    [Range(100, 10_000_000)]
    public int TrainingSensors { get; set; } = 20_000;

    /// <summary>Failures in the training set needed before the fitted model replaces the prior one.</summary>
    [Range(1, 100_000)]
    public int MinTrainingFailures { get; set; } = 20;

    /// <summary>Ended lives needed before the fleet's own Weibull fit replaces the prior age curve.</summary>
    [Range(2, 100_000)]
    public int MinLifespanEvents { get; set; } = 10;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RecentBeats >= TrendBeats || TrendBeats >= BaselineBeats)
        {
            yield return new ValidationResult(
                $"{nameof(RecentBeats)} < {nameof(TrendBeats)} < {nameof(BaselineBeats)} must hold.",
                [nameof(RecentBeats), nameof(TrendBeats), nameof(BaselineBeats)]);
        }
    }
}
