using System.Globalization;

namespace Sensors360.IntegrationTests;

public static class ResourceProcesses
{
    /// <summary>The process DCP started for a resource or one of its instances (a project, or a server's wrapper script).</summary>
    public static int ProcessIdOf(this DistributedApplication app, string resource)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} has no state");
        var pid = state!.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        Assert.NotNull(pid);
        return Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The process that runs a project resource's code: DCP starts it with <c>dotnet run --no-build</c>, which runs the
    /// built program as its child.
    /// </summary>
    public static int ServiceProcessOf(this DistributedApplication app, string resource)
    {
        var started = app.ProcessIdOf(resource);
        var running = LocalProcesses.All().ToDictionary(p => p.Pid);
        var service = new[] { started }.Concat(LocalProcesses.DescendantsOf(started))
            .FirstOrDefault(pid => running.TryGetValue(pid, out var info) && !info.CommandLine.StartsWith("dotnet run ", StringComparison.Ordinal));
        Assert.True(service != 0, $"{resource}: no process below {started} runs the service");
        return service;
    }
}
