using System.Globalization;
using System.Text;

namespace Sensors360.History;

/// <summary>
/// What the ground-truth files share (this library's <c>history-truth.csv</c> and the simulator's demo
/// <c>ground-truth.csv</c>): their time format, field escaping and an atomic write.
/// </summary>
public static class TruthFile
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>ISO-8601 UTC to the second; empty when there is no such time.</summary>
    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) ?? "";

    // Simulator tags never need quoting; this only keeps the file valid should the tag format change.
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>Writes via a temporary file, so a reader never sees half a file.</summary>
    public static void Write(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
