using System.Diagnostics;
using System.Globalization;

namespace Sensors360.IntegrationTests;

/// <summary>The demo fleet simulator, run as its own process against the started system's real APIs.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class SimulatorTests(SensorsAppFixture fixture)
{
    const int Sensors = 5;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_simulator_registers_its_fleet_writes_the_ground_truth_and_its_heartbeats_are_stored(bool legacy)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("sensors360-simulator-");
        await using var api = new SensorsApi(fixture.App);
        var start = new ProcessStartInfo("dotnet", [BuiltProjects.AssemblyOf(new Projects.Sensors360_Simulator())])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory.FullName,
        };
        start.Environment["Simulator__RegistryUrl"] = api.Worker.BaseAddress!.ToString();
        start.Environment["Simulator__IngestionUrl"] = api.Ingestion.BaseAddress!.ToString();
        start.Environment["Simulator__DataDirectory"] = dataDirectory.FullName;
        start.Environment["Simulator__SensorCount"] = Sensors.ToString(CultureInfo.InvariantCulture);
        start.Environment["Simulator__MinInterval"] = "00:00:01";
        start.Environment["Simulator__MaxInterval"] = "00:00:02";
        start.Environment["Simulator__DieShare"] = "0";
        start.Environment["Simulator__DegradeShare"] = "0";
        start.Environment["Simulator__FlapShare"] = "0";
        start.Environment["Simulator__StatusInterval"] = "00:00:01";
        start.Environment["Simulator__Legacy"] = legacy ? "true" : "false";

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var groundTruth = Path.Combine(dataDirectory.FullName, "ground-truth.csv");
            Assert.True(await LocalProcesses.EventuallyAsync(() => Task.FromResult(
                File.Exists(groundTruth) && File.ReadAllLines(groundTruth).Length == Sensors + 1), TimeSpan.FromSeconds(60)),
                $"No ground truth for {Sensors} sensors. Output:\n{string.Join('\n', output)}");
            var lines = File.ReadAllLines(groundTruth);
            Assert.StartsWith("sensor_id,tag,fate", lines[0]);
            var ids = lines.Skip(1).Select(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
            Assert.All(lines.Skip(1), l => Assert.Equal("healthy", l.Split(',')[2]));

            Assert.True(await LocalProcesses.EventuallyAsync(async () =>
                await api.ScalarAsync("SELECT count(DISTINCT sensor_id) FROM heartbeats WHERE sensor_id = ANY($1)", ids) == Sensors,
                TimeSpan.FromSeconds(60)), $"Not every simulated sensor's heartbeats were stored. Output:\n{string.Join('\n', output)}");
            Assert.True(await LocalProcesses.EventuallyAsync(() => Task.FromResult(
                output.Any(l => l.Contains("simulator:", StringComparison.Ordinal) && l.Contains("202: ", StringComparison.Ordinal)
                    && !l.Contains("202: 0 ", StringComparison.Ordinal))), TimeSpan.FromSeconds(30)),
                $"No status line counting accepted heartbeats. Output:\n{string.Join('\n', output)}");

            // SIGTERM (what Aspire sends) ends it cleanly.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.DoesNotContain(output, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            dataDirectory.Delete(recursive: true);
        }
    }
}
