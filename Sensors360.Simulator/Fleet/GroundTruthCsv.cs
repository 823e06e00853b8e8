using System.Globalization;
using System.Text;
using Sensors360.History;

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
            csv.Append(CultureInfo.InvariantCulture, $"{sensor.Id},{TruthFile.Escape(sensor.Tag)},{FateName(sensor.Fate)},{sensor.IntervalSeconds},")
                .Append(TruthFile.Time(sensor.DegradeStart)).Append(',')
                .Append(TruthFile.Time(sensor.DeathAt)).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    public static void Write(string directory, SimulatedFleet fleet)
    {
        TruthFile.Write(Path.Combine(directory, FileName), Format(fleet));
    }

    public static string FateName(SensorFate fate) => fate.ToString().ToLowerInvariant();
}
