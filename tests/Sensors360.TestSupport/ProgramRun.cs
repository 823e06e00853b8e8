using System.Diagnostics;
using System.Text;

namespace Sensors360.TestSupport;

/// <summary>What a program that ran to its end said: its exit code, its standard output, and both streams as they came.</summary>
public sealed record ProgramRunResult(int ExitCode, string StandardOutput, string Output);

/// <summary>Runs a command-line program to its end for a test (scripts, npm, kubectl, dotnet msbuild).</summary>
public static class ProgramRun
{
    /// <summary>
    /// Runs <paramref name="program"/> in <paramref name="directory"/>; <paramref name="environment"/> may change its
    /// environment first. Kills it (with its children) after <paramref name="timeout"/>. A program that is not installed
    /// is said so, by name.
    /// </summary>
    public static async Task<ProgramRunResult> RunAsync(string directory, string program, IEnumerable<string> arguments,
        TimeSpan timeout, Action<IDictionary<string, string?>>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        environment?.Invoke(start.Environment);
        var standardOutput = new StringBuilder();
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    standardOutput.AppendLine(e.Data);
                    output.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} could not be started ({ex.Message}): the tests need it on the PATH.", ex);
        }
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
            lock (output)
            {
                output.AppendLine($"(killed after {timeout})");
            }
        }
        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        lock (output)
        {
            return new ProgramRunResult(process.ExitCode, standardOutput.ToString(), output.ToString());
        }
    }
}
