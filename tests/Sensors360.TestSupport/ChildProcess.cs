using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sensors360.TestSupport;

/// <summary>
/// A program started for a test or a bench scenario (a second service instance, a baseline server): its output is
/// read as it comes (so a full pipe never blocks it) and kept; disposing kills it with its children.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    readonly ConcurrentQueue<string> _output = new();

    ChildProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Id => Process.Id;

    public bool HasExited => Process.HasExited;

    /// <summary>Everything it wrote to stdout and stderr so far, line by line.</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>Runs <c>dotnet <paramref name="assembly"/></c> from the assembly's folder with these environment variables.</summary>
    public static ChildProcess StartDotnet(string assembly, IReadOnlyDictionary<string, string?> environment, IEnumerable<string>? arguments = null)
    {
        var start = new ProcessStartInfo("dotnet", [assembly, .. arguments ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) child._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) child._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Kills it (and its children) if it still runs, and waits until it has exited.</summary>
    public async Task StopAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        Process.Dispose();
    }
}
