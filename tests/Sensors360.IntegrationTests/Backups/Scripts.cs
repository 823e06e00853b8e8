using System.Diagnostics;
using System.Text;

namespace Sensors360.IntegrationTests.Backups;

public static class Scripts
{
    /// <summary>Runs the repository's <c>eng/<paramref name="script"/></c> with the backup settings given (and no others).</summary>
    public static Task<(int ExitCode, string Output)> RunEngAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) =>
        RunAsync("bash", [Path.Combine(Repository.Root, "eng", script), .. arguments], environment, TimeSpan.FromMinutes(5));

    /// <summary>Runs a program to its end, stdout and stderr together; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        // A repository setting of the machine's own must not leak into a test's.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SENSORS360_BACKUP_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output) output.AppendLine($"(killed after {timeout})");
        }
        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
