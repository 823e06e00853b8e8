namespace Sensors360.Monitoring.Model;

/// <summary>A sensor's latest predicted risk (one row per scored sensor, replaced at every scoring pass).</summary>
public sealed class SensorRisk
{
    public long SensorId { get; set; }

    public DateTimeOffset ScoredAt { get; set; }

    /// <summary>P(fail within 7 days); the queue ranks by it.</summary>
    public double Risk7d { get; set; }

    public double Risk30d { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    public DateTimeOffset WindowEnd { get; set; }

    /// <summary>Since when the sensor has been at risk; null when it is not.</summary>
    public DateTimeOffset? AtRiskSince { get; set; }

    public string[] Reasons { get; set; } = [];

    /// <summary>The features behind the score (<see cref="Prediction.StoredScore"/>).</summary>
    public double[] Features { get; set; } = [];

    /// <summary>Each model input's value, in <see cref="Prediction.ModelInputs.Names"/> order.</summary>
    public double[] ContributionValues { get; set; } = [];

    /// <summary>Each model input's share of the log-odds, in the same order.</summary>
    public double[] ContributionLogOdds { get; set; } = [];
}

/// <summary>A fitted (or prior) risk model, kept so that every worker replica answers with the same one.</summary>
public sealed class RiskModelRecord
{
    public long Id { get; set; }

    public DateTimeOffset FittedAt { get; set; }

    /// <summary>"prior" or "fitted".</summary>
    public required string Kind { get; set; }

    public int Examples { get; set; }

    public int Failures { get; set; }

    public double[] Means { get; set; } = [];

    public double[] Scales { get; set; } = [];

    public double[] Weights { get; set; } = [];

    public double WeibullShape { get; set; }

    public double WeibullScaleDays { get; set; }

    public required string AgeCurveKind { get; set; }
}
