using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Sensors360.Backtest;

/// <summary>What the history generator scripted for one sensor: when it died and whether it warned first.</summary>
public sealed record TruthRow(long SensorId, string Tag, DateTimeOffset InstalledAt, DateTimeOffset DeathAt, bool Degrading, bool Flapping);

/// <summary>Reads the generator's <c>history-truth.csv</c> (Sensors360.Simulator/README.md, "history").</summary>
public static class TruthFile
{
    public static List<TruthRow> Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        csv.Read();
        csv.ReadHeader();
        var rows = new List<TruthRow>();
        while (csv.Read())
        {
            rows.Add(new TruthRow(
                csv.GetField<long>("sensor_id"),
                csv.GetField("tag") ?? "",
                Time(csv.GetField("installed_at")),
                Time(csv.GetField("death_at")),
                csv.GetField("failure") == "degrading",
                csv.GetField("flapping") == "true"));
        }
        return rows;
    }

    static DateTimeOffset Time(string? text) =>
        DateTimeOffset.Parse(text ?? throw new FormatException("A required time is missing."), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
