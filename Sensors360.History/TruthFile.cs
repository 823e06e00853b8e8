using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Sensors360.History;

/// <summary>
/// What the ground-truth files share (this library's <c>history-truth.csv</c> and the simulator's demo
/// <c>ground-truth.csv</c>): RFC 4180 with a header, '\n' line endings, UTF-8 without a BOM, and an atomic write.
/// Times go through <see cref="UtcTimeConverter"/>, enums through <see cref="LowercaseEnumConverter{TEnum}"/>.
/// </summary>
public static class TruthFile
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    // Only for writing: readers keep CsvHelper's default, where a set NewLine would be the only line ending accepted.
    private static readonly CsvConfiguration WriterConfiguration = new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    /// <summary>The file's text: the header of <typeparamref name="TMap"/>, then one row per record.</summary>
    public static string Format<TRecord, TMap>(IEnumerable<TRecord> records)
        where TMap : ClassMap<TRecord>
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        WriteRecords<TRecord, TMap>(text, records);
        return text.ToString();
    }

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    public static void Write<TRecord, TMap>(string path, IEnumerable<TRecord> records)
        where TMap : ClassMap<TRecord>
    {
        var temporary = path + ".tmp";
        using (var text = new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            WriteRecords<TRecord, TMap>(text, records);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteRecords<TRecord, TMap>(TextWriter text, IEnumerable<TRecord> records)
        where TMap : ClassMap<TRecord>
    {
        using var csv = new CsvWriter(text, WriterConfiguration, leaveOpen: true);
        csv.Context.RegisterClassMap<TMap>();
        csv.WriteRecords(records);
    }
}
