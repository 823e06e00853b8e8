using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sensors360.ReliabilityReport;

/// <summary>
/// One line of results.jsonl, as the Reliability tests write it (ReliabilityReport.Record in
/// tests/Sensors360.IntegrationTests). A scenario whose name starts with "Setting:" is a durability setting.
/// </summary>
public sealed record ScenarioResult(
    string Scenario,
    string? Expected = null,
    string? Measured = null,
    long? Accepted = null,
    long? Lost = null,
    long? Duplicated = null,
    bool Met = false)
{
    const string SettingPrefix = "Setting:";

    public bool IsSetting => Scenario.StartsWith(SettingPrefix, StringComparison.Ordinal);

    /// <summary>This result as one line of results.jsonl (no line break).</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(this, ScenarioResultJson.Default.ScenarioResult);

    /// <summary>The results in the order they were written; blank lines are skipped.</summary>
    public static IReadOnlyList<ScenarioResult> ReadLines(string jsonLines)
    {
        var results = new List<ScenarioResult>();
        var lineNumber = 0;
        foreach (var line in jsonLines.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                results.Add(JsonSerializer.Deserialize(line, ScenarioResultJson.Default.ScenarioResult)!);
            }
            catch (JsonException e)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}", e);
            }
        }
        return results;
    }
}

// Source-generated: the entry point is a file-based app, where reflection-based serialization is off by default.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, IgnoreReadOnlyProperties = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ScenarioResult))]
sealed partial class ScenarioResultJson : JsonSerializerContext;
