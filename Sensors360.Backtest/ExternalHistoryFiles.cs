using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Sensors360.History;
using Sensors360.Monitoring.Model;

namespace Sensors360.Backtest;

/// <summary>A sensor of an external history: when it was registered, and when and why it was retired, if it was.</summary>
/// <param name="ExpectedInterval">As given, or null: then the median gap between its heartbeats is used.</param>
/// <param name="StaleAfter">As given, or null: then three expected intervals, as in the simulator's fleets.</param>
public sealed record ExternalSensor(
    long Id, DateTimeOffset RegisteredAt, DateTimeOffset? RetiredAt, RetirementReason? RetiredWhy, TimeSpan? ExpectedInterval, TimeSpan? StaleAfter);

/// <summary>
/// A fleet history kept outside the simulator: three CSV files in one directory, with a header line each
/// (docs/predictive-maintenance.md, "External histories"). Every reader names the file and line of what it refuses.
/// </summary>
public static class ExternalHistoryFiles
{
    public const string SensorsFile = "sensors.csv";
    public const string HeartbeatsFile = "heartbeats.csv";
    public const string TruthFile = "truth.csv";

    public const string SensorsHeader = "sensor_id,registered_at,retired_at,retired_why,expected_interval_seconds,stale_after_seconds";
    public const string HeartbeatsHeader = "sensor_id,timestamp";
    public const string TruthHeader = "sensor_id,died_at,failure";

    static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static IReadOnlyList<ExternalSensor> ReadSensors(string directory)
    {
        var sensors = new List<ExternalSensor>();
        var seen = new HashSet<long>();
        foreach (var (line, f) in Rows(directory, SensorsFile, SensorsHeader))
        {
            var id = Id(f[0], SensorsFile, line);
            if (!seen.Add(id))
            {
                throw Error(SensorsFile, line, $"sensor {id} is listed twice.");
            }
            var registered = Time(f[1], "registered_at", SensorsFile, line);
            DateTimeOffset? retired = f[2].Length == 0 ? null : Time(f[2], "retired_at", SensorsFile, line);
            if (retired < registered)
            {
                throw Error(SensorsFile, line, $"retired_at {f[2]} is before registered_at {f[1]}.");
            }
            RetirementReason? why = null;
            if (f[3].Length > 0)
            {
                why = RetirementReasonNames.Parse(f[3])
                    ?? throw Error(SensorsFile, line, $"retired_why is '{f[3]}', expected {string.Join(", ", RetirementReasonNames.Names.Values)} or nothing.");
                if (retired is null)
                {
                    throw Error(SensorsFile, line, "retired_why is given but retired_at is not.");
                }
            }
            // The ranges the registry accepts for a sensor's own settings (docs/api.md, POST /api/sensors).
            var interval = Seconds(f[4], "expected_interval_seconds", 1, 86_400, line);
            var staleAfter = Seconds(f[5], "stale_after_seconds", 10, 30 * 86_400, line);
            sensors.Add(new ExternalSensor(id, registered, retired, why, interval, staleAfter));
        }
        return sensors;
    }

    public static IReadOnlyList<FleetDeath> ReadTruth(string directory, IReadOnlyDictionary<long, ExternalSensor> sensors)
    {
        var deaths = new List<FleetDeath>();
        var seen = new HashSet<long>();
        foreach (var (line, f) in Rows(directory, TruthFile, TruthHeader))
        {
            var id = Id(f[0], TruthFile, line);
            if (!sensors.TryGetValue(id, out var sensor))
            {
                throw Error(TruthFile, line, $"sensor {id} is not in {SensorsFile}.");
            }
            if (!seen.Add(id))
            {
                throw Error(TruthFile, line, $"sensor {id} dies twice.");
            }
            var died = Time(f[1], "died_at", TruthFile, line);
            if (died < sensor.RegisteredAt)
            {
                throw Error(TruthFile, line, $"died_at {f[1]} is before the sensor's registered_at.");
            }
            var failure = f[2] switch
            {
                "sudden" => HistoryFailure.Sudden,
                "degrading" => HistoryFailure.Degrading,
                _ => throw Error(TruthFile, line, $"failure is '{f[2]}', expected sudden or degrading."),
            };
            deaths.Add(new FleetDeath(id, died, failure));
        }
        return deaths;
    }

    /// <summary>The heartbeats in file order, each checked against its sensor's registration and retirement.</summary>
    public static IEnumerable<(long SensorId, DateTimeOffset At)> ReadHeartbeats(string directory, IReadOnlyDictionary<long, ExternalSensor> sensors)
    {
        var latest = DateTimeOffset.UtcNow.AddDays(1);
        foreach (var (line, f) in Rows(directory, HeartbeatsFile, HeartbeatsHeader))
        {
            var id = Id(f[0], HeartbeatsFile, line);
            if (!sensors.TryGetValue(id, out var sensor))
            {
                throw Error(HeartbeatsFile, line, $"sensor {id} is not in {SensorsFile}.");
            }
            var at = Time(f[1], "timestamp", HeartbeatsFile, line);
            // A history is the past: a clock far ahead would also ask for a partition per day up to it.
            if (at > latest)
            {
                throw Error(HeartbeatsFile, line, $"{f[1]} is in the future.");
            }
            if (at < sensor.RegisteredAt || at > sensor.RetiredAt)
            {
                throw Error(HeartbeatsFile, line, $"{f[1]} is outside sensor {id}'s registration (registered_at to retired_at).");
            }
            yield return (id, at);
        }
    }

    static IEnumerable<(long Line, string[] Fields)> Rows(string directory, string file, string header)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{file}: not found in {Path.GetFullPath(directory)}; an external history has {SensorsFile}, {HeartbeatsFile} and {TruthFile}.", path);
        }
        using var reader = new StreamReader(path);
        using var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            IgnoreBlankLines = true,
            TrimOptions = TrimOptions.Trim,
            BadDataFound = bad => throw Error(file, bad.Context.Parser?.RawRow ?? 0, "a quote inside an unquoted field; quote the whole field and double the quotes inside it."),
        });
        if (!csv.Read() || string.Join(',', csv.Record!) != header)
        {
            throw Error(file, 1, $"the header must be '{header}'.");
        }
        var columns = header.Split(',').Length;
        while (csv.Read())
        {
            var fields = csv.Record!;
            if (fields.Length != columns)
            {
                throw Error(file, csv.RawRow, $"{fields.Length} fields, expected {columns} ({header}).");
            }
            yield return (csv.RawRow, fields);
        }
    }

    static TimeSpan? Seconds(string text, string column, int min, int max, long line) =>
        text.Length == 0 ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= min && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : throw Error(SensorsFile, line, $"{column} is '{text}', expected a whole number from {min} to {max}, or nothing.");

    static long Id(string text, string file, long line) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw Error(file, line, $"sensor_id is '{text}', expected a positive whole number.");

    static DateTimeOffset Time(string text, string column, string file, long line) =>
        DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw Error(file, line, $"{column} is '{text}', expected an ISO-8601 time like 2026-01-31T06:00:00Z (no offset: UTC).");

    static FormatException Error(string file, long line, string message) => new($"{file} line {line}: {message}");
}
