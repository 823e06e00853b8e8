using System.Text;

namespace Sensors360.Simulator.Tests.Load;

public sealed class LoadProvisionerTests
{
    [Fact]
    public async Task Without_a_key_it_imports_the_sensors_in_chunks_and_creates_a_collector_key_for_exactly_them()
    {
        var nextId = 1000L;
        var handler = new FakeHttpHandler((request, body) => request.RequestUri!.AbsolutePath switch
        {
            "/api/sensors/import" => FakeHttpHandler.Answer(HttpStatusCode.Created, Imported(body!, ref nextId), "text/csv"),
            "/api/collector-keys" => FakeHttpHandler.Answer(HttpStatusCode.Created, """{"id":3,"name":"load x","selector":{},"key":"s360c_new"}"""),
            _ => FakeHttpHandler.Answer(HttpStatusCode.NotFound),
        });
        var options = new LoadOptions { IngestionUrl = "http://ingestion.test", RegistryUrl = "http://registry.test", Sensors = 4_500 };

        var target = await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);

        Assert.Equal(new Uri("http://ingestion.test/api/heartbeats"), target.Endpoint);
        Assert.Equal("s360c_new", target.Key);
        Assert.Equal(Enumerable.Range(1000, 4_500).Select(i => (long)i), target.SensorIds);
        var requests = handler.Requests.ToList();
        Assert.Equal(["/api/sensors/import", "/api/sensors/import", "/api/sensors/import", "/api/collector-keys"], requests.Select(r => r.Uri.AbsolutePath));
        Assert.Equal([2_000, 2_000, 500], requests.Take(3).Select(r => r.Body!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1));
        var runId = requests[0].Body!.Split('\n')[1].Split(',')[1];
        Assert.Matches("^[0-9a-f]{6}$", runId);
        Assert.Equal($$$"""{"name":"load {{{runId}}}","selector":{"load":"{{{runId}}}"}}""", requests[3].Body);
        Assert.All(requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Through_the_gateway_the_registry_requests_carry_the_bearer_token()
    {
        var nextId = 1L;
        var handler = new FakeHttpHandler((request, body) => request.RequestUri!.AbsolutePath == "/api/sensors/import"
            ? FakeHttpHandler.Answer(HttpStatusCode.Created, Imported(body!, ref nextId), "text/csv")
            : FakeHttpHandler.Answer(HttpStatusCode.Created, """{"id":3,"name":"load x","selector":{},"key":"s360c_new"}"""));
        var options = new LoadOptions { IngestionUrl = "http://localhost:8081", RegistryUrl = "http://localhost:8080", RegistryToken = "s360t_admin", Sensors = 2 };

        await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);

        Assert.Equal(["http://localhost:8080/api/sensors/import", "http://localhost:8080/api/collector-keys"], handler.Requests.Select(r => r.Uri.ToString()));
        Assert.All(handler.Requests, r => Assert.Equal("Bearer s360t_admin", r.Authorization));
    }

    [Fact]
    public void The_import_file_labels_each_sensor_with_the_run_and_keeps_it_from_turning_late_for_an_hour()
    {
        Assert.Equal(
            "tag,load,expected_interval_seconds,grace_seconds,stale_after_seconds\nload-abc123-0000010,abc123,3600,0,86400\nload-abc123-0000011,abc123,3600,0,86400\n",
            LoadProvisioner.ImportCsv("abc123", 10, 12, LoadProvisioner.TimingsFor(new LoadOptions())));
    }

    [Fact]
    public async Task A_fleet_s_sensors_are_registered_with_the_fleet_s_interval_and_a_small_grace()
    {
        var nextId = 1L;
        var handler = new FakeHttpHandler((request, body) => request.RequestUri!.AbsolutePath == "/api/sensors/import"
            ? FakeHttpHandler.Answer(HttpStatusCode.Created, Imported(body!, ref nextId), "text/csv")
            : FakeHttpHandler.Answer(HttpStatusCode.Created, """{"id":3,"name":"load x","selector":{},"key":"s360c_new"}"""));
        // 100 sensors at 8 heartbeats/s: each sends every 12.5 s.
        var options = new LoadOptions { IngestionUrl = "http://ingestion.test", Sensors = 100, Fleet = true, Rate = 8, FleetGrace = TimeSpan.FromSeconds(4) };

        await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);

        var rows = handler.Requests.First().Body!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(100, rows.Count);
        // Expected every 13 s (the interval in whole seconds, rounded up), late 4 s after that, down after 3 intervals.
        Assert.All(rows, row => Assert.EndsWith(",13,4,39", row));
    }

    [Fact]
    public async Task A_provision_file_is_written_for_the_owner_only_and_reused_without_registering_again()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "load", "sensors.json");
        var nextId = 1L;
        var handler = new FakeHttpHandler((request, body) => request.RequestUri!.AbsolutePath == "/api/sensors/import"
            ? FakeHttpHandler.Answer(HttpStatusCode.Created, Imported(body!, ref nextId), "text/csv")
            : FakeHttpHandler.Answer(HttpStatusCode.Created, """{"id":3,"name":"load x","selector":{},"key":"s360c_file"}"""));
        var options = new LoadOptions { IngestionUrl = "http://ingestion.test", Sensors = 3, ProvisionFile = path, Legacy = true };

        var first = await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);
        var requestsAfterFirst = handler.Requests.Count;
        var second = await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);

        Assert.Equal(2, requestsAfterFirst);
        Assert.Equal(requestsAfterFirst, handler.Requests.Count);
        Assert.Equal("s360c_file", second.Key);
        Assert.Equal([1L, 2, 3], second.SensorIds);
        Assert.Equal(first with { SensorIds = [] }, second with { SensorIds = [] });
        Assert.Equal(new Uri("http://ingestion.test/api/v0/heartbeat"), second.Endpoint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task A_given_collector_key_covers_a_range_of_sensors_and_nothing_is_registered()
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.InternalServerError));
        var options = new LoadOptions { IngestionUrl = "http://ingestion.test/prefix", CollectorKey = "s360c_given", FirstSensorId = 501, Sensors = 3 };

        var target = await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);

        Assert.Equal(new LoadTarget(new Uri("http://ingestion.test/prefix/api/heartbeats"), "s360c_given", target.SensorIds, false), target);
        Assert.Equal([501L, 502, 503], target.SensorIds);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Any_url_gets_a_key_as_long_as_a_real_one_and_sensors_from_1()
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.InternalServerError));
        var options = new LoadOptions { Url = "http://hello.test:5099/", Sensors = 2 };

        var target = await Provisioner(handler, options).ProvisionAsync(CancellationToken.None);

        Assert.Equal(new Uri("http://hello.test:5099/"), target.Endpoint);
        Assert.Equal(LoadProvisioner.PlaceholderKey, target.Key);
        Assert.Equal([1L, 2], target.SensorIds);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_refused_import_stops_the_run_with_the_registry_s_reason()
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Problem(HttpStatusCode.BadRequest, "Invalid CSV", "line 2: bad tag."));
        var options = new LoadOptions { IngestionUrl = "http://ingestion.test", RegistryUrl = "http://registry.test", Sensors = 2 };

        var error = await Assert.ThrowsAsync<Sensors360.Simulator.Demo.SimulatorException>(() => Provisioner(handler, options).ProvisionAsync(CancellationToken.None));

        Assert.Equal("The registry at http://registry.test did not register the load's sensors: 400 Bad Request: line 2: bad tag.", error.Message);
    }

    [Fact]
    public void The_provision_file_is_owner_only_even_when_an_older_one_was_readable_by_everyone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("sensors360-provision-").FullName;
        try
        {
            var path = Path.Combine(directory, "load-sensors.json");
            File.WriteAllText(path, "{}");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            LoadProvisioner.Save(path, new ProvisionedSensors("s360c_secret", [1L, 2]));

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal("s360c_secret", LoadProvisioner.Load(path)!.CollectorKey);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static LoadProvisioner Provisioner(FakeHttpHandler handler, LoadOptions options) =>
        new(new FakeHttpClientFactory(handler), Microsoft.Extensions.Options.Options.Create(options), NullLogger<LoadProvisioner>.Instance);

    /// <summary>What the registry answers to an import: each row's tag with the next id and a key.</summary>
    private static string Imported(string csv, ref long nextId)
    {
        var answer = new StringBuilder("id,tag,key\r\n");
        foreach (var row in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            answer.Append(System.Globalization.CultureInfo.InvariantCulture, $"{nextId},{row.Split(',')[0]},s360s_{nextId}\r\n");
            nextId++;
        }

        return answer.ToString();
    }
}
