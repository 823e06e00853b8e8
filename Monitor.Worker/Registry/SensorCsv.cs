using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Monitor.Worker.Registry;

/// <summary>The sensors of a CSV import, or why the file was refused (errors keyed by "line N").</summary>
public sealed record SensorCsvParseResult(IReadOnlyList<RegisterSensorRequest> Rows, Dictionary<string, string[]> Errors);

/// <summary>
/// Reads and writes the registry's CSV (RFC 4180, comma, header row). Columns: <c>tag</c> (required),
/// optional <c>expected_interval_seconds</c>, <c>grace_seconds</c>, <c>stale_after_seconds</c> (camelCase also
/// accepted); every other column is a label whose key is the header and whose value is the cell (empty = no label).
/// </summary>
public static class SensorCsv
{
    public const string MediaType = "text/csv";
    public const int MaxRows = 10_000;
    public const int MaxErrorsReported = 50;

    public static SensorCsvParseResult Parse(TextReader text)
    {
        var rows = new List<RegisterSensorRequest>();
        var errors = new Dictionary<string, string[]>();
        var lineOfTag = new Dictionary<string, int>(StringComparer.Ordinal);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = args => AddError(errors, args.Context.Parser?.RawRow ?? 0,
                "a field has a stray quote; quote whole fields and double the quotes inside them."),
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
        };

        using var csv = new CsvReader(text, config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
        {
            errors["file"] = ["The file is empty; the first line must be a header with at least a 'tag' column."];
            return new(rows, errors);
        }

        var columns = header.Select(Classify).ToArray();
        if (!columns.Contains(Column.Tag))
        {
            errors["header"] = [$"The header has no 'tag' column (it has: {string.Join(", ", header)})."];
            return new(rows, errors);
        }
        var duplicateHeaders = header.GroupBy(h => h.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicateHeaders.Length > 0)
        {
            errors["header"] = [$"Each column may appear once; repeated: {string.Join(", ", duplicateHeaders)}."];
            return new(rows, errors);
        }

        var previousEnd = csv.Parser.RawRow;
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            var start = previousEnd + 1;
            previousEnd = line;
            if (rows.Count == MaxRows)
            {
                errors["file"] = [$"At most {MaxRows} sensors per import; split the file."];
                break;
            }
            // An unclosed quote swallows the rest of the file into one field: name the line where it opened.
            if (csv.Parser.RawRecord.Count(c => c == '"') % 2 == 1)
            {
                AddError(errors, start, "a quoted field is never closed; quote whole fields and double the quotes inside them.");
                break;
            }
            if (csv.Parser.Count != header.Length)
            {
                AddError(errors, line, $"expected {header.Length} fields like the header, found {csv.Parser.Count}.");
                continue;
            }

            string? tag = null;
            int? interval = null, grace = null, staleAfter = null;
            var labels = new Dictionary<string, string>();
            for (var i = 0; i < header.Length; i++)
            {
                var cell = csv.GetField(i) ?? "";
                switch (columns[i])
                {
                    case Column.Tag: tag = cell; break;
                    case Column.ExpectedInterval: interval = Number(errors, line, header[i], cell); break;
                    case Column.Grace: grace = Number(errors, line, header[i], cell); break;
                    case Column.StaleAfter: staleAfter = Number(errors, line, header[i], cell); break;
                    default:
                        if (cell.Length > 0)
                        {
                            labels[header[i].Trim()] = cell;
                        }
                        break;
                }
            }

            var request = new RegisterSensorRequest(tag, labels, interval, grace, staleAfter);
            foreach (var (field, messages) in SensorRegistration.Validate(request))
            {
                AddError(errors, line, $"{field}: {string.Join(" ", messages)}");
            }
            var trimmed = tag?.Trim() ?? "";
            if (trimmed.Length > 0 && !lineOfTag.TryAdd(trimmed, line))
            {
                AddError(errors, line, $"tag '{trimmed}' is already on line {lineOfTag[trimmed]}.");
            }
            rows.Add(request);
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors["file"] = ["The file has a header but no sensors."];
        }
        return new(rows, errors);
    }

    /// <summary>
    /// How every CSV the monitor writes is written, since operators open them in a spreadsheet: a cell starting with
    /// = + - @, a tab or a carriage return would be read there as a formula (a tag "=HYPERLINK(…)" could send the keys
    /// elsewhere), so it gets a leading apostrophe, as OWASP advises ("'=HYPERLINK(…)"). Numbers written are never negative.
    /// </summary>
    public static CsvConfiguration ForSpreadsheets() => new(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape };

    /// <summary>The import's answer, the keys file operators keep.</summary>
    public static string Write(IEnumerable<SensorKeyResponse> sensors)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, ForSpreadsheets()))
        {
            csv.WriteField("id");
            csv.WriteField("tag");
            csv.WriteField("key");
            csv.NextRecord();
            foreach (var sensor in sensors)
            {
                csv.WriteField(sensor.Id);
                csv.WriteField(sensor.Tag);
                csv.WriteField(sensor.Key);
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    enum Column { Label, Tag, ExpectedInterval, Grace, StaleAfter }

    static Column Classify(string header) => header.Trim().Replace("_", "").ToLowerInvariant() switch
    {
        "tag" => Column.Tag,
        "expectedintervalseconds" => Column.ExpectedInterval,
        "graceseconds" => Column.Grace,
        "staleafterseconds" => Column.StaleAfter,
        _ => Column.Label,
    };

    static int? Number(Dictionary<string, string[]> errors, int line, string column, string cell)
    {
        if (cell.Trim().Length == 0)
        {
            return null;
        }
        if (int.TryParse(cell.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        AddError(errors, line, $"{column.Trim()} must be a whole number of seconds, not '{cell}'.");
        return null;
    }

    static void AddError(Dictionary<string, string[]> errors, int line, string message)
    {
        if (errors.Count >= MaxErrorsReported)
        {
            return;
        }
        var key = $"line {line}";
        errors[key] = errors.TryGetValue(key, out var existing) ? [.. existing, message] : [message];
    }
}
