namespace Sensors360.DeploymentTests;

/// <summary>The command-line tools the deployment tests ask (dotnet msbuild, kubectl, bash).</summary>
public static class Command
{
    /// <summary>Runs a program; its standard output, or an exception with everything it said when it fails.</summary>
    public static async Task<string> RunAsync(string directory, string program, params string[] arguments)
    {
        var run = await ProgramRun.RunAsync(directory, program, arguments, TimeSpan.FromMinutes(2));
        return run.ExitCode == 0
            ? run.StandardOutput
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {run.ExitCode}: {run.Output}");
    }
}
