using Sensors360.ReliabilityReport;

namespace Sensors360.IntegrationTests.Reliability;

/// <summary>
/// Appends each scenario's measurements as a JSON line to artifacts/reliability/results.jsonl (or to
/// SENSORS360_RELIABILITY_RESULTS), from which eng/reliability.sh renders docs/reliability.md. Each line is
/// Sensors360.ReliabilityReport's ScenarioResult, the record the renderer reads.
/// </summary>
public static class ScenarioResults
{
    static readonly Lock Gate = new();

    public static string ResultsPath =>
        Environment.GetEnvironmentVariable("SENSORS360_RELIABILITY_RESULTS") is { Length: > 0 } path
            ? path
            : Path.Combine(Repository.Root, "artifacts", "reliability", "results.jsonl");

    public static void Record(ScenarioResult result)
    {
        var line = result.ToJsonLine();
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ResultsPath)!);
            File.AppendAllText(ResultsPath, line + "\n");
        }
    }
}
