using System.Diagnostics;

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
