using System.Net.Http.Json;
using System.Diagnostics;
using System.Globalization;

namespace Sensors360.IntegrationTests;

/// <summary>The demo fleet simulator, run as its own process against the started system's real APIs.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class SimulatorTests(SensorsAppFixture fixture)
{
    const int Sensors = 5;

    [Theory]
    [InlineData("http", false)]
    [InlineData("http", true)]
    [InlineData("mqtt", false)] // each simulated sensor its own MQTT client on the broker's listener
    public async Task The_simulator_registers_its_fleet_writes_the_ground_truth_and_its_heartbeats_are_stored(string protocol, bool legacy)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("sensors360-simulator-");
        await using var api = new SensorsApi(fixture.App);
        var settings = new Dictionary<string, string>
        {
            ["SensorCount"] = Sensors.ToString(CultureInfo.InvariantCulture),
            ["DegradeShare"] = "0",
            ["StatusInterval"] = "00:00:01",
            ["Legacy"] = legacy ? "true" : "false",
            ["Protocol"] = protocol,
            ["MqttAddress"] = MqttDevice.Address(fixture.App).ToString(),
        };
        if (protocol == "mqtt")
        {
            // Nothing listens there (the discard port): what gets stored can only have come over MQTT.
            settings["IngestionUrl"] = "http://127.0.0.1:9";
        }
        var (process, output) = StartSimulator(api, dataDirectory, settings);
        using var _ = process;
        try
        {
            var groundTruth = Path.Combine(dataDirectory.FullName, "ground-truth.csv");
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(
                File.Exists(groundTruth) && File.ReadAllLines(groundTruth).Length == Sensors + 1), TimeSpan.FromSeconds(60)),
                $"No ground truth for {Sensors} sensors. Output:\n{string.Join('\n', output)}");
            var lines = File.ReadAllLines(groundTruth);
            Assert.StartsWith("sensor_id,tag,fate", lines[0]);
            var ids = lines.Skip(1).Select(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
            Assert.All(lines.Skip(1), l => Assert.Equal("healthy", l.Split(',')[2]));

            Assert.True(await Poll.UntilAsync(async () =>
                await api.ScalarAsync("SELECT count(DISTINCT sensor_id) FROM heartbeats WHERE sensor_id = ANY($1)", ids) == Sensors,
                TimeSpan.FromSeconds(60)), $"Not every simulated sensor's heartbeats were stored. Output:\n{string.Join('\n', output)}");
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(
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
            Assert.Contains(output, l => l.Contains(protocol == "mqtt" ? "Heartbeats go over MQTT" : "Heartbeats go over HTTP", StringComparison.Ordinal));
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

    /// <summary>The simulator in demo mode against the started system: intervals of 1–2 s, nobody dies or flaps unless <paramref name="settings"/> say so.</summary>
    static (Process Process, System.Collections.Concurrent.ConcurrentQueue<string> Output) StartSimulator(
        SensorsApi api, DirectoryInfo dataDirectory, Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [BuiltProjects.AssemblyOf(new Projects.Sensors360_Simulator())])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory.FullName,
        };
        var defaults = new Dictionary<string, string>
        {
            ["RegistryUrl"] = api.Worker.BaseAddress!.ToString(),
            ["IngestionUrl"] = api.Ingestion.BaseAddress!.ToString(),
            ["DataDirectory"] = dataDirectory.FullName,
            ["MinInterval"] = "00:00:01",
            ["MaxInterval"] = "00:00:02",
            ["DieShare"] = "0",
            ["FlapShare"] = "0",
        };
        foreach (var (key, value) in defaults.Concat(settings))
        {
            start.Environment["Simulator__" + key] = value;
        }
        start.Environment["ServiceAuth__Key"] = ServiceKeys.Simulator;

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    [Fact]
    public async Task The_demo_fleets_degrading_sensors_enter_the_maintenance_queue_before_they_die_and_its_healthy_ones_do_not()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("sensors360-simulator-");
        await using var api = new SensorsApi(fixture.App);
        var (process, output) = StartSimulator(api, dataDirectory, new()
        {
            ["SensorCount"] = "6",
            ["DegradeShare"] = "0.5",
            // The demo's three hours of degradation in three minutes: the interval still grows six-fold, then the sensor dies.
            ["DegradeOnsetWindow"] = "00:00:30",
            ["DegradeDuration"] = "00:03:00",
        });
        using var _ = process;
        try
        {
            var groundTruth = Path.Combine(dataDirectory.FullName, "ground-truth.csv");
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(
                File.Exists(groundTruth) && File.ReadAllLines(groundTruth).Length == 7), TimeSpan.FromSeconds(60)),
                $"No ground truth. Output:\n{string.Join('\n', output)}");
            var fleet = File.ReadAllLines(groundTruth).Skip(1).Select(l => l.Split(',')).ToList();
            var degrading = fleet.Where(f => f[2] == "degrade")
                .ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture), f => DateTimeOffset.Parse(f[5], CultureInfo.InvariantCulture));
            var healthy = fleet.Where(f => f[2] == "healthy").Select(f => long.Parse(f[0], CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Equal((3, 3), (degrading.Count, healthy.Count));

            // Every pass of the queue is checked: a healthy sensor must never appear, a degrading one before its death.
            var seenBeforeDeath = new Dictionary<long, DateTimeOffset>();
            var healthySeen = new HashSet<long>();
            var lastDeath = degrading.Values.Max();
            // What the degrading sensors scored last before dying, and by which model: said when one is missed.
            var lastScores = new Dictionary<long, string>();
            var model = "none";
            while (DateTimeOffset.UtcNow < lastDeath && seenBeforeDeath.Count < degrading.Count)
            {
                var queue = await api.Worker.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/maintenance/queue?limit=1000");
                var now = DateTimeOffset.UtcNow;
                model = queue.GetProperty("model").ToString();
                foreach (var (id, death) in degrading.Where(d => now < d.Value && !seenBeforeDeath.ContainsKey(d.Key)))
                {
                    using var risk = await api.Worker.GetAsync($"/api/sensors/{id}/risk");
                    if (risk.IsSuccessStatusCode)
                    {
                        var detail = await risk.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                        lastScores[id] = $"{(death - now).TotalSeconds:0} s before death: risk {detail.GetProperty("risk7d").GetDouble():0.000}, "
                            + $"features {detail.GetProperty("features")}";
                    }
                }
                foreach (var id in queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sensorId").GetInt64()))
                {
                    if (degrading.TryGetValue(id, out var death) && now < death)
                    {
                        seenBeforeDeath.TryAdd(id, now);
                    }
                    if (healthy.Contains(id))
                    {
                        healthySeen.Add(id);
                    }
                }
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            Assert.True(seenBeforeDeath.Count == degrading.Count,
                $"Listed before death: {string.Join(", ", seenBeforeDeath.Select(s => $"{s.Key} ({(degrading[s.Key] - s.Value).TotalSeconds:0} s ahead)"))} of {degrading.Count}. "
                + $"Model: {model}. Last scores of the others: {string.Join("; ", lastScores.Where(s => !seenBeforeDeath.ContainsKey(s.Key)).Select(s => $"{s.Key} {s.Value}"))}");
            Assert.Empty(healthySeen);
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
