using System.Diagnostics;

namespace Sensors360.DeploymentTests;

/// <summary>The command-line tools the deployment tests ask (dotnet msbuild, kubectl, bash).</summary>
public static class Command
{
    /// <summary>Runs a program; its standard output, or an exception with everything it said when it fails.</summary>
    public static async Task<string> RunAsync(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} could not be started ({ex.Message}): the deployment tests need it on the PATH.", ex);
        }
        using var _ = process;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
        return await output;
    }
}
