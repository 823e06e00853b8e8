using Microsoft.Extensions.DependencyInjection;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>Starts and stops its own system, so it must not share the collection's AppHost.</summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TeardownTests
{
    const string Name = "Own system";

    [Fact]
    public async Task Stopping_the_app_leaves_no_process_port_or_temporary_data_behind()
    {
        using var cts = new CancellationTokenSource(SensorsApp.StartTimeout);
        var app = await SensorsApp.StartAsync(cts.Token);
        DirectoryInfo dataRoot;
        int[] ports;
        int[] serverPids;
        int[] orchestratorPids;
        try
        {
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            var postgres = model.Resources.OfType<LocalPostgresResource>().Single();
            var rabbit = model.Resources.OfType<LocalRabbitMqResource>().Single();
            dataRoot = new DirectoryInfo(Path.GetDirectoryName(postgres.DataDirectory)!);
            Assert.Equal(dataRoot.FullName, Path.GetDirectoryName(rabbit.DataDirectory));
            Assert.True(dataRoot.Exists, "the throwaway data directory should exist while the app runs");
            Assert.StartsWith(Path.GetTempPath(), dataRoot.FullName);

            ports = [.. new[] { ("postgres", "tcp"), ("messaging", "tcp"), ("messaging", "epmd"), ("messaging", "dist") }
                .Select(e => app.GetEndpoint(e.Item1, e.Item2).Port)];
            foreach (var port in ports)
            {
                Assert.True(await LocalProcesses.IsListeningAsync(port), $"nothing listens on {port} while the app runs");
            }

            // Each server names its own process in a pid file; matching by command line or environment also finds
            // the short-lived rabbitmqctl VMs that share the node's environment.
            serverPids = [await PidFromFileAsync(Path.Combine(postgres.DataDirectory, "postmaster.pid")),
                          await PidFromFileAsync(Path.Combine(rabbit.DataDirectory, "rabbitmq.pid"))];
            var processes = LocalProcesses.All();
            Assert.Equal("postgres", processes.Single(p => p.Pid == serverPids[0]).Name);
            Assert.Equal("beam.smp", processes.Single(p => p.Pid == serverPids[1]).Name);
            orchestratorPids = [.. processes
                .Where(p => p.Name == "dcp" && p.CommandLine.Contains($"--monitor {Environment.ProcessId}"))
                .Select(p => p.Pid)];
            Assert.NotEmpty(orchestratorPids);
        }
        finally
        {
            await app.DisposeAsync();
        }

        var timeout = TimeSpan.FromSeconds(30);
        foreach (var pid in serverPids.Concat(orchestratorPids))
        {
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(!LocalProcesses.IsAlive(pid)), timeout),
                $"process {pid} is still running after the app stopped");
        }
        foreach (var port in ports)
        {
            Assert.True(await Poll.UntilAsync(async () => !await LocalProcesses.IsListeningAsync(port), timeout),
                $"port {port} (postgres, amqp, epmd or erlang distribution) is still open after the app stopped");
        }
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(!Directory.Exists(dataRoot.FullName)), timeout),
            $"{dataRoot.FullName} still exists after the app stopped");
    }

    /// <summary>The first line of a server's pid file, once the server has written it.</summary>
    static async Task<int> PidFromFileAsync(string path)
    {
        var pid = 0;
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(
            File.Exists(path) && int.TryParse(File.ReadLines(path).FirstOrDefault()?.Trim(), out pid) && pid > 0),
            TimeSpan.FromSeconds(30)), $"no pid in {path}");
        return pid;
    }
}
