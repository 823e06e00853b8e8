using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;

namespace Sensors360.History;

/// <summary>
/// <c>history-truth.csv</c>: one row per sensor written to the database. Times are ISO-8601 UTC to the second, empty
/// when there is none; failure is <c>sudden</c> or <c>degrading</c>; flapping is <c>true</c>/<c>false</c>.
/// </summary>
public static class HistoryTruthCsv
{
    public const string FileName = "history-truth.csv";
    public const string Header = "sensor_id,tag,slot,installed_at,death_at,failure,degrade_start,retired_at,interval_seconds,flapping";

    private static readonly int FieldCount = Header.Split(',').Length;

    // Blank lines come through as records, so that every line counts towards the line numbers of the errors.
    private static readonly CsvConfiguration ReaderConfiguration = new(CultureInfo.InvariantCulture) { IgnoreBlankLines = false };

    public static string Format(IEnumerable<HistoryTruthRow> rows) => TruthFile.Format<HistoryTruthRow, HistoryTruthRowMap>(rows);

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    /// <returns>The file's path.</returns>
    public static string Write(string directory, IEnumerable<HistoryTruthRow> rows)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        TruthFile.Write<HistoryTruthRow, HistoryTruthRowMap>(path, rows);
        return path;
    }

    public static IReadOnlyList<HistoryTruthRow> Read(string path)
    {
        using var text = new StreamReader(path);
        return Parse(text);
    }

    public static IReadOnlyList<HistoryTruthRow> Parse(string csv) => Parse(new StringReader(csv));

    /// <exception cref="FormatException">Not this header, or a row that does not read; the message names its line.</exception>
    public static IReadOnlyList<HistoryTruthRow> Parse(TextReader text)
    {
        using var csv = new CsvReader(text, ReaderConfiguration);
        csv.Context.RegisterClassMap<HistoryTruthRowMap>();
        var header = csv.Read() ? csv.Parser.RawRecord.TrimEnd('\r', '\n') : "";
        if (header != Header)
        {
            throw new FormatException($"Not a history truth file: the header is '{header}', expected '{Header}'.");
        }

        csv.ReadHeader();

        var rows = new List<HistoryTruthRow>();
        var end = csv.Parser.RawRow;
        while (csv.Read())
        {
            // A quoted field may span lines (and an unclosed quote runs to the end): name the line the row starts on.
            var line = end + 1;
            end = csv.Parser.RawRow;
            if (csv.Parser.RawRecord.AsSpan().Trim("\r\n").IsEmpty)
            {
                continue;
            }

            if (csv.Parser.Count != FieldCount)
            {
                throw new FormatException($"Line {line}: {csv.Parser.Count} fields, expected {FieldCount}.");
            }

            try
            {
                rows.Add(csv.GetRecord<HistoryTruthRow>());
            }
            catch (CsvHelperException ex)
            {
                throw new FormatException($"Line {line}: {Reason(ex)}", ex);
            }
        }

        return rows;
    }

    private static string Reason(CsvHelperException ex) => ex switch
    {
        TypeConverterException { MemberMapData.Names: [var column, ..] } bad =>
            $"{column} is {(string.IsNullOrEmpty(bad.Text) ? "empty" : $"'{bad.Text}'")}, expected {Expected(bad.TypeConverter)}.",
        BadDataException => "a quote inside an unquoted field; quote the whole field and double the quotes inside it.",
        _ => ex.Message,
    };

    private static string Expected(ITypeConverter converter) => converter switch
    {
        UtcTimeConverter => "a UTC time to the second like 2025-01-31T00:00:00Z",
        LowercaseEnumConverter<HistoryFailure> => LowercaseEnumConverter<HistoryFailure>.Names,
        BooleanConverter => "true or false",
        _ => "a whole number",
    };
}
