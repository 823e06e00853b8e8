using System.Globalization;
using System.Text;
using Sensors360.Monitoring.Prediction;

namespace Sensors360.Backtest;

/// <summary>The backtest's outcome as a Markdown table, with what it was run on.</summary>
public static class BacktestReport
{
    public static string Format(BacktestResult r, BacktestOptions options)
    {
        var text = new StringBuilder();
        var model = r.FinalModel;
        text.AppendLine(Invariant($"History {r.HistoryStart:yyyy-MM-dd HH:mm} to {r.HistoryEnd:yyyy-MM-dd HH:mm} UTC ({(r.HistoryEnd - r.HistoryStart).TotalDays:0.0} days); ") + Invariant($"scored from {r.ScoredFrom:yyyy-MM-dd HH:mm} every {Hours(options.Step)}: {r.Passes} passes over {r.SensorsScored:#,0} sensors, model refitted {r.Refits} times."));
        text.AppendLine(Invariant($"Model at the end: {model.Kind} ({model.Examples:#,0} examples, {model.Failures:#,0} failures within 7 days); ") + Invariant($"age curve {model.AgeCurveKind}: Weibull shape {model.AgeCurve.Shape:0.00}, scale {model.AgeCurve.ScaleDays:0} days."));
        text.AppendLine("Inputs (weight per standard deviation; mean, standard deviation): intercept " + Invariant($"{model.Weights[0]:0.000}; ")
            + string.Join("; ", ModelInputs.Names.Select((name, j) =>
                Invariant($"{name} {model.Weights[j + 1]:0.000} ({model.Means[j]:0.000}, {model.Scales[j]:0.000})"))) + ".");
        text.AppendLine(Invariant($"A death is predicted when the sensor was at risk {Hours(options.MinLead)} to {options.AlertHorizon.TotalDays:0} days before it; ") + Invariant($"an alert is right when the sensor dies within {options.AlertHorizon.TotalDays:0} days."));
        text.AppendLine();
        text.AppendLine("| threshold | alerts | right | precision | deaths | predicted ≥ lead | recall | median lead | degrading predicted | sudden predicted |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var t in r.Thresholds)
        {
            var mark = t.Threshold == r.ThresholdInUse ? " (in use)" : "";
            text.AppendLine(Invariant($"| {t.Threshold:0.00}{mark} | {t.Alerts} | {t.RightAlerts} | {t.Precision:0.00} | {t.Deaths} | {t.Predicted} | {t.Recall:0.00} | ") + Invariant($"{(t.MedianLeadHours is { } lead ? Invariant($"{lead:0} h") : "–")} | {t.DegradingPredicted}/{t.DegradingDeaths} | {t.SuddenPredicted}/{t.SuddenDeaths} |"));
        }
        var inUse = r.Thresholds.Single(t => t.Threshold == r.ThresholdInUse);
        var met = inUse.Precision >= 0.8 && inUse.Recall >= 0.8;
        text.AppendLine();
        text.AppendLine(Invariant($"Recall at the threshold in use by kind of death: degrading {Ratio(inUse.DegradingPredicted, inUse.DegradingDeaths)}, ")
            + Invariant($"sudden {Ratio(inUse.SuddenPredicted, inUse.SuddenDeaths)}."));
        text.AppendLine();
        var c = r.Calibration;
        text.AppendLine(Invariant($"Calibration of the 7-day risk over the {c.Scores:#,0} scores whose next 7 days the history holds ({c.Failures:#,0} were followed by a death): ")
            + Invariant($"Brier score {c.Brier:0.0000} (giving every score the observed rate, {(c.Scores == 0 ? 0 : (double)c.Failures / c.Scores):0.0000}, would score {c.BaseRateBrier:0.0000})."));
        text.AppendLine();
        text.AppendLine("| decile | risk from | risk to | scores | mean predicted | observed |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var d in c.Deciles)
        {
            text.AppendLine(Invariant($"| {d.Decile} | {d.LowestRisk:0.0000} | {d.HighestRisk:0.0000} | {d.Scores:#,0} | {d.MeanRisk:0.0000} | {d.ObservedRate:0.0000} ({d.Failures}) |"));
        }
        text.AppendLine();
        text.AppendLine(Invariant($"Target precision ≥ 0.80 and recall ≥ 0.80 at the threshold in use: {(met ? "met" : "NOT met")} ") + Invariant($"(precision {inUse.Precision:0.000}, recall {inUse.Recall:0.000}). Replay took {r.Elapsed.TotalSeconds:0} s, ")
            + Invariant($"of which {r.FeatureTime.TotalSeconds:0} s computing the features of {r.FeatureMoments} moments on {Environment.ProcessorCount} connections."));
        return text.ToString();
    }

    static string Ratio(int part, int whole) => whole == 0 ? "– (none)" : Invariant($"{(double)part / whole:0.00} ({part}/{whole})");

    static string Hours(TimeSpan span) => span.TotalHours >= 48 && span.TotalDays % 1 == 0
        ? Invariant($"{span.TotalDays:0} days")
        : Invariant($"{span.TotalHours:0.#} h");

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
