using Microsoft.Extensions.Hosting;
using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class DemoServiceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task When_the_api_forgets_a_stored_fleets_keys_the_fleet_file_is_replaced_by_a_newly_registered_fleet()
    {
        var options = Options(o =>
        {
            o.DataDirectory = _temp.Path;
            o.SensorCount = 10;
            o.UnknownKeyGrace = TimeSpan.FromMinutes(2);
        });
        var time = new FakeTimeProvider(CreatedAt.AddDays(1));
        var store = new FleetStore(Wrap(options), NullLogger<FleetStore>.Instance);
        var old = FleetPlanner.Create(options, "0ld0ld", seed: 1, CreatedAt);
        old = old with { Sensors = old.Sensors.Select(s => s with { Id = s.Number, Key = "s360s_old", RegisteredAt = CreatedAt }).ToArray() };
        store.Save(old);

        var nextId = 100;
        var handler = new FakeHttpHandler((request, body) =>
        {
            if (request.RequestUri!.AbsolutePath == "/api/sensors")
            {
                var id = Interlocked.Increment(ref nextId);
                var tag = JsonDocument.Parse(body!).RootElement.GetProperty("tag").GetString();
                return FakeHttpHandler.Answer(HttpStatusCode.Created, $$"""{"id":{{id}},"tag":"{{tag}}","key":"s360s_new"}""");
            }

            // The database was reset: only keys issued since are known.
            return request.Headers.GetValues("X-Api-Key").Single() == "s360s_new"
                ? FakeHttpHandler.Answer(HttpStatusCode.Accepted, """{"accepted":1,"batchId":"b"}""")
                : FakeHttpHandler.Problem(HttpStatusCode.Unauthorized, "Unknown key", "No sensor has this key.");
        });
        var factory = new FakeHttpClientFactory(handler);
        var state = new SimulatorState();
        var service = new DemoService(
            new FleetProvisioner(new RegistryClient(factory, Wrap(options)), store, state, Wrap(options), time, NullLogger<FleetProvisioner>.Instance),
            new HeartbeatClient(factory, Wrap(options), time), state, new SimulatorStats(), Wrap(options), time, NullLoggerFactory.Instance,
            new Lifetime());

        await service.StartAsync(CancellationToken.None);
        await time.WaitUntilAsync(() => state.Fleet is not null);
        Assert.Equal("0ld0ld", state.Fleet!.Fleet.FleetId);

        await time.AdvanceUntilAsync(() => state.Fleet?.Fleet.FleetId is { } id && id != "0ld0ld", TimeSpan.FromSeconds(10));

        var replacement = store.Load()!;
        Assert.NotEqual("0ld0ld", replacement.FleetId);
        Assert.Equal(replacement.FleetId, state.Fleet!.Fleet.FleetId);
        Assert.All(replacement.Sensors, s => Assert.Equal("s360s_new", s.Key));
        Assert.Contains($",sim-{replacement.FleetId}-0001,", File.ReadAllText(Path.Combine(_temp.Path, GroundTruthCsv.FileName)));

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(0, Environment.ExitCode);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => throw new InvalidOperationException("The demo stopped the application.");
    }
}
