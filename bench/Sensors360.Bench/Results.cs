using System.Globalization;

namespace Sensors360.Bench;

/// <summary>One line of the table: our figure, the baseline measured in the same run, and the target.</summary>
public sealed record BenchRow(string Scenario, string Metric, double Ours, double? Baseline, string BaselineName, string Target, bool Met, string Unit)
{
    /// <summary>Times and sizes: smaller is better, and the ratio reads "baseline ÷ ours" (× faster).</summary>
    public bool LowerIsBetter { get; init; }

    public double? Ratio => Baseline is > 0 && Ours > 0 ? (LowerIsBetter ? Baseline / Ours : Ours / Baseline) : null;
}

/// <summary>Everything a run produces: the table's rows, the CPU lines under it, and series for results.json.</summary>
public sealed class BenchReport
{
    public List<BenchRow> Rows { get; } = [];

    public List<string> Profiles { get; } = [];

    public Dictionary<string, object> Series { get; } = [];
}

public static class Table
{
    public static string Markdown(IEnumerable<BenchRow> rows, string header)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(header).AppendLine();
        text.AppendLine("| Scenario | Metric | Ours | Baseline | Ratio | Target | Met |");
        text.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var row in rows)
        {
            var baseline = row.Baseline is { } b ? $"{Format(b)} {row.Unit} ({row.BaselineName})" : "—";
            var ratio = row.Ratio is { } r
                ? r.ToString(r >= 100 ? "#,0" : "0.00", CultureInfo.InvariantCulture) + (row.LowerIsBetter ? "× faster" : "×")
                : "—";
            text.AppendLine($"| {row.Scenario} | {row.Metric} | {Format(row.Ours)} {row.Unit} | {baseline} | {ratio} | {row.Target} | {(row.Met ? "yes" : "**no**")} |");
        }
        return text.ToString();
    }

    static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        < 10 when value == Math.Floor(value) => value.ToString("0", CultureInfo.InvariantCulture),
        >= 1000 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
