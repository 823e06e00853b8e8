using System.Diagnostics;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>Asks <c>docker info</c>, then <c>podman info</c>, whether a container engine is running.</summary>
public static class ContainerRuntimeProbe
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <returns>"docker", "podman", or null when neither engine answers.</returns>
    public static string? FindRunningRuntime()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            if (Answers(runtime))
            {
                return runtime;
            }
        }
        return null;
    }

    static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            // Drain output so a chatty `info` cannot block on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
