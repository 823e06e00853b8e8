using System.Globalization;
using System.Text;

namespace Sensors360.History;

/// <summary>
/// <c>history-truth.csv</c>: one row per sensor written to the database. Times are ISO-8601 UTC to the second, empty
/// when there is none; failure is <c>sudden</c> or <c>degrading</c>; flapping is <c>true</c>/<c>false</c>.
/// </summary>
public static class HistoryTruthCsv
{
    public const string FileName = "history-truth.csv";
    public const string Header = "sensor_id,tag,slot,installed_at,death_at,failure,degrade_start,retired_at,interval_seconds,flapping";

    public static string Format(IEnumerable<HistoryTruthRow> rows)
    {
        var csv = new StringBuilder().Append(Header).Append('\n');
        foreach (var row in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{row.SensorId},{TruthFile.Escape(row.Tag)},{row.Slot},{TruthFile.Time(row.InstalledAt)},{TruthFile.Time(row.DeathAt)},")
                .Append(FailureName(row.Failure)).Append(',')
                .Append(TruthFile.Time(row.DegradeStart)).Append(',')
                .Append(TruthFile.Time(row.RetiredAt)).Append(',')
                .Append(CultureInfo.InvariantCulture, $"{row.IntervalSeconds},{(row.Flapping ? "true" : "false")}\n");
        }

        return csv.ToString();
    }

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    /// <returns>The file's path.</returns>
    public static string Write(string directory, IEnumerable<HistoryTruthRow> rows)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        TruthFile.Write(path, Format(rows));
        return path;
    }

    public static IReadOnlyList<HistoryTruthRow> Read(string path) => Parse(File.ReadAllText(path));

    public static IReadOnlyList<HistoryTruthRow> Parse(string csv)
    {
        using var reader = new StringReader(csv);
        var header = reader.ReadLine();
        if (header != Header)
        {
            throw new FormatException($"Not a history truth file: the header is '{header}', expected '{Header}'.");
        }

        var rows = new List<HistoryTruthRow>();
        var number = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var f = Split(line);
            if (f.Count != 10)
            {
                throw new FormatException($"Line {number}: {f.Count} fields, expected 10.");
            }

            try
            {
                rows.Add(new HistoryTruthRow(
                    long.Parse(f[0], CultureInfo.InvariantCulture), f[1], int.Parse(f[2], CultureInfo.InvariantCulture),
                    ParseTime(f[3]), ParseTime(f[4]), Enum.Parse<HistoryFailure>(f[5], ignoreCase: true),
                    f[6].Length == 0 ? null : ParseTime(f[6]), f[7].Length == 0 ? null : ParseTime(f[7]),
                    int.Parse(f[8], CultureInfo.InvariantCulture), bool.Parse(f[9])));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                throw new FormatException($"Line {number}: {ex.Message}", ex);
            }
        }

        return rows;
    }

    public static string FailureName(HistoryFailure failure) => failure.ToString().ToLowerInvariant();

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TruthFile.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
