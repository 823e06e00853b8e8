#:project ../Sensors360.ReliabilityReport/Sensors360.ReliabilityReport.csproj

// Renders the fault scenarios' measurements (JSON lines written by the Reliability tests) into the generated part
// of docs/reliability.md, between its "results:begin" and "results:end" markers; the prose around them is kept.
// Usage: dotnet run eng/reliability-report.cs -- <results.jsonl> <reliability.trx | -> <docs/reliability.md>
using System.Diagnostics;
using Sensors360.ReliabilityReport;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: dotnet run eng/reliability-report.cs -- <results.jsonl> <reliability.trx | -> <docs/reliability.md>");
    return 2;
}
var (resultsPath, trxPath, docPath) = (args[0], args[1], args[2]);

var results = ScenarioResult.ReadLines(File.ReadAllText(resultsPath));
var counters = trxPath != "-" && File.Exists(trxPath) ? TestCounters.FromTrx(File.ReadAllText(trxPath)) : null;
var facts = new RunFacts(DateTimeOffset.UtcNow, Commit(), Environment.ProcessorCount, CpuModel());
var page = File.Exists(docPath) ? File.ReadAllText(docPath) : ReliabilityPage.Empty;

if (ReliabilityPage.Splice(page, ReliabilityPage.Render(results, counters, facts)) is not { } written)
{
    Console.Error.WriteLine($"{docPath} has no results markers");
    return 1;
}
File.WriteAllText(docPath, written);
Console.WriteLine($"{docPath}: {results.Count(r => !r.IsSetting)} scenarios, {results.Count(r => r.IsSetting)} settings");
return 0;

static string Commit()
{
    try
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["rev-parse", "--short", "HEAD"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 && output.Length > 0 ? output : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown"; // no git on the machine
    }
}

static string CpuModel()
{
    var model = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))
        : null;
    return model?[(model.IndexOf(':') + 1)..].Trim() is { Length: > 0 } name ? name : "unknown CPU";
}
