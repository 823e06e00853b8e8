using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sensors360.Bench;

/// <summary>The other programs a run starts (built next to the bench, same configuration) and how.</summary>
public static class Tools
{
    static readonly string RepoRoot = FindRepoRoot();
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    public static string Assembly(string project) =>
        Path.Combine(RepoRoot, project, "bin", Configuration, "net10.0",
            Path.GetFileName(project) + ".dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a program to completion, echoing its output; kills it (and its children) if cancelled.</summary>
    public static async Task<int> RunAsync(string assembly, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [assembly, .. arguments]) { WorkingDirectory = Path.GetDirectoryName(assembly)! };
        using var process = Process.Start(start)!;
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Starts a long-running program; dispose to stop it.</summary>
    public static Process Start(string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sensors360.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run the bench from the repository (Sensors360.sln not found above it).");
    }
}
