using System.Globalization;
using System.Text;

namespace Sensors360.Simulator.Fleet;

/// <summary>
/// <c>ground-truth.csv</c>: what each registered sensor was scripted to do, to score what the monitor detects.
/// Times are ISO-8601 UTC to the second; empty when the fate has no such event.
/// </summary>
public static class GroundTruthCsv
{
    public const string FileName = "ground-truth.csv";
    public const string Header = "sensor_id,tag,fate,interval_seconds,degrade_start,death_at";

    public static string Format(SimulatedFleet fleet)
    {
        var csv = new StringBuilder().Append(Header).Append('\n');
        foreach (var sensor in fleet.Sensors.Where(s => s.IsRegistered).OrderBy(s => s.Number))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{sensor.Id},{Escape(sensor.Tag)},{FateName(sensor.Fate)},{sensor.IntervalSeconds},")
                .Append(Time(sensor.DegradeStart)).Append(',')
                .Append(Time(sensor.DeathAt)).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    public static void Write(string directory, SimulatedFleet fleet)
    {
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path + ".tmp", Format(fleet), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static string FateName(SensorFate fate) => fate.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    // Simulator tags never need quoting; this only keeps the file valid should the tag format change.
    private static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
