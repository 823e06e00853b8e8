using CsvHelper.Configuration;
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

    public static string Format(SimulatedFleet fleet) => TruthFile.Format<SimulatedSensor, SensorMap>(Registered(fleet));

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    public static void Write(string directory, SimulatedFleet fleet) =>
        TruthFile.Write<SimulatedSensor, SensorMap>(Path.Combine(directory, FileName), Registered(fleet));

    private static IEnumerable<SimulatedSensor> Registered(SimulatedFleet fleet) =>
        fleet.Sensors.Where(s => s.IsRegistered).OrderBy(s => s.Number);

    private sealed class SensorMap : ClassMap<SimulatedSensor>
    {
        public SensorMap()
        {
            Map(s => s.Id).Name("sensor_id");
            Map(s => s.Tag).Name("tag");
            Map(s => s.Fate).Name("fate").TypeConverter<LowercaseEnumConverter<SensorFate>>();
            Map(s => s.IntervalSeconds).Name("interval_seconds");
            Map(s => s.DegradeStart).Name("degrade_start").TypeConverter(UtcTimeConverter.Optional);
            Map(s => s.DeathAt).Name("death_at").TypeConverter(UtcTimeConverter.Optional);
        }
    }
}
