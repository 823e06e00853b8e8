namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// Fits the model from the fleet's own history as known at a moment: the Weibull age curve from every life (ended or
/// censored), and the logistic model from feature snapshots taken once per <see cref="PredictionOptions.TrainingStep"/>,
/// each labelled by whether that sensor failed within the next 7 days. Falls back to the prior parts while the fleet
/// has too few failures of its own.
/// </summary>
public static class ModelTrainer
{
    public delegate Task<IReadOnlyList<SensorFeatures>> FeaturesAt(DateTimeOffset at, CancellationToken cancellationToken);

    public static async Task<RiskModel> TrainAsync(
        DateTimeOffset at, FailureHistory history, FeaturesAt featuresAt, PredictionOptions options, CancellationToken cancellationToken)
    {
        var prior = PriorModel.Instance;
        var lives = history.LivesAt(at);
        var ageKnown = lives.Count(l => l.Ended) >= options.MinLifespanEvents;
        var ageCurve = ageKnown ? Weibull.Fit(lives) : prior.AgeCurve;
        var ageCurveKind = ageKnown ? RiskModel.Fitted : RiskModel.Prior;

        var failures = history.FailuresKnownAt(at);
        var inputs = new List<double[]>();
        var labels = new List<bool>();
        foreach (var snapshot in SnapshotTimes(at, options))
        {
            foreach (var features in await featuresAt(snapshot, cancellationToken))
            {
                var failed = failures.TryGetValue(features.SensorId, out var when) ? when : (DateTimeOffset?)null;
                if (failed <= snapshot)
                {
                    continue;
                }
                inputs.Add(ModelInputs.Of(features, ageCurve, ageKnown));
                labels.Add(failed <= snapshot + TimeSpan.FromDays(RiskModel.HorizonDays));
            }
        }

        var positives = labels.Count(l => l);
        if (positives < options.MinTrainingFailures || positives == labels.Count)
        {
            return prior with { FittedAt = at, AgeCurve = ageCurve, AgeCurveKind = ageCurveKind };
        }
        return RiskModel.Fit(inputs, labels, ageCurve, ageCurveKind, at);
    }

    /// <summary>
    /// Snapshot times whose 7-day outcome is known at <paramref name="at"/> (allowing <see cref="PredictionOptions.LabelDelay"/>
    /// for a failure to be noticed), newest first, on a grid of whole steps so that successive fits share snapshots.
    /// </summary>
    public static IEnumerable<DateTimeOffset> SnapshotTimes(DateTimeOffset at, PredictionOptions options)
    {
        var step = options.TrainingStep.Ticks;
        var newest = at - TimeSpan.FromDays(RiskModel.HorizonDays) - options.LabelDelay;
        var oldest = at - options.TrainingSpan;
        for (var time = new DateTimeOffset(newest.UtcTicks / step * step, TimeSpan.Zero); time >= oldest; time -= options.TrainingStep)
        {
            yield return time;
        }
    }
}
