using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class FleetProvisionerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(CreatedAt);
    private readonly SimulatorState _state = new();
    private readonly SimulatorOptions _options;
    private readonly FleetStore _store;
    private long _nextId = 100;

    public FleetProvisionerTests()
    {
        _options = Options(o =>
        {
            o.DataDirectory = _temp.Path;
            o.SensorCount = 20;
            o.Seed = 5;
        });
        _store = new FleetStore(Wrap(_options), NullLogger<FleetStore>.Instance);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_first_run_registers_a_new_fleet_keeps_its_keys_and_writes_the_ground_truth()
    {
        var handler = Registry(Created);

        var provisioned = await Provisioner(handler).EnsureFleetAsync(CancellationToken.None);

        Assert.False(provisioned.Reused);
        var fleet = provisioned.Fleet;
        Assert.Equal(20, fleet.Sensors.Count);
        Assert.All(fleet.Sensors, s => Assert.True(s.IsRegistered));
        Assert.Equal(20, fleet.Sensors.Select(s => s.Id).Distinct().Count());
        Assert.All(fleet.Sensors, s => Assert.Equal("s360s_" + s.Id, s.Key));

        var stored = _store.Load()!;
        Assert.Equal(fleet.FleetId, stored.FleetId);
        Assert.Equal(fleet.Sensors.Select(s => (s.Id, s.Key)), stored.Sensors.Select(s => (s.Id, s.Key)));

        var csv = File.ReadAllLines(Path.Combine(_temp.Path, "ground-truth.csv"));
        Assert.Equal(21, csv.Length);
        Assert.StartsWith($"{fleet.Sensors[0].Id},{fleet.Sensors[0].Tag},", csv[1]);

        var request = JsonDocument.Parse(handler.Requests.First(r => r.Body!.Contains("-0001")).Body!).RootElement;
        var first = fleet.Sensors[0];
        Assert.Equal(first.Tag, request.GetProperty("tag").GetString());
        Assert.Equal(first.IntervalSeconds, request.GetProperty("expectedIntervalSeconds").GetInt32());
        Assert.Equal((int)Math.Ceiling(first.IntervalSeconds * 0.2) + 5, request.GetProperty("graceSeconds").GetInt32());
        Assert.Equal(first.Labels["site"], request.GetProperty("labels").GetProperty("site").GetString());
        Assert.Equal(first.Labels["kind"], request.GetProperty("labels").GetProperty("kind").GetString());
        Assert.All(handler.Requests, r => Assert.Equal("http://registry.test/api/sensors", r.Uri.ToString()));
    }

    [Fact]
    public async Task A_later_run_reuses_the_stored_fleet_without_registering_again()
    {
        var first = await Provisioner(Registry(Created)).EnsureFleetAsync(CancellationToken.None);
        var handler = Registry(Created);

        var second = await Provisioner(handler).EnsureFleetAsync(CancellationToken.None);

        Assert.True(second.Reused);
        Assert.Empty(handler.Requests);
        Assert.Equal(first.Fleet.FleetId, second.Fleet.FleetId);
        Assert.Equal(first.Fleet.Sensors.Select(s => s.Key), second.Fleet.Sensors.Select(s => s.Key));
    }

    [Fact]
    public async Task A_discarded_fleet_is_replaced_by_a_new_one_with_new_tags()
    {
        var provisioner = Provisioner(Registry(Created));
        var first = await provisioner.EnsureFleetAsync(CancellationToken.None);

        provisioner.Discard();
        var second = await provisioner.EnsureFleetAsync(CancellationToken.None);

        Assert.NotEqual(first.Fleet.FleetId, second.Fleet.FleetId);
        Assert.Empty(first.Fleet.Sensors.Select(s => s.Tag).Intersect(second.Fleet.Sensors.Select(s => s.Tag)));
        Assert.False(second.Reused);
    }

    [Fact]
    public async Task A_sensor_whose_tag_is_taken_is_dropped()
    {
        var handler = Registry(body => body.Contains("-0003\"")
            ? FakeHttpHandler.Problem(HttpStatusCode.Conflict, "Tag in use", "An active sensor is already tagged 'x'.")
            : Created(body));

        var fleet = (await Provisioner(handler).EnsureFleetAsync(CancellationToken.None)).Fleet;

        Assert.Equal(19, fleet.Sensors.Count);
        Assert.DoesNotContain(fleet.Sensors, s => s.Number == 3);
        Assert.Equal(19, _store.Load()!.Sensors.Count);
    }

    [Fact]
    public async Task An_unavailable_registry_is_retried_and_registration_resumes_where_it_stopped()
    {
        _options.MaxConcurrency = 1; // one at a time, so exactly the first registration succeeds
        var available = false;
        var handler = Registry(body => available || body.Contains("-0001\"")
            ? Created(body)
            : FakeHttpHandler.Problem(HttpStatusCode.ServiceUnavailable, "Unavailable", "Database starting."));

        var provisioning = Provisioner(handler).EnsureFleetAsync(CancellationToken.None);

        // The provisioner saves what it has, then waits on the clock before retrying: what it saved must keep the first key.
        await _time.WaitUntilAsync(() => _store.Load()?.Sensors.Any(s => s.IsRegistered) == true);
        var partial = _store.Load()!;
        Assert.False(provisioning.IsCompleted);
        var registeredFirst = Assert.Single(partial.Sensors, s => s.IsRegistered);
        Assert.Equal(1, registeredFirst.Number);
        Assert.True(partial.Sensors.Count(s => !s.IsRegistered) == 19);

        available = true;
        await _time.AdvanceUntilAsync(() => provisioning.IsCompleted, TimeSpan.FromSeconds(1));
        var resumed = await provisioning;

        Assert.Equal(partial.FleetId, resumed.Fleet.FleetId);
        Assert.All(resumed.Fleet.Sensors, s => Assert.True(s.IsRegistered));
        Assert.Equal(registeredFirst.Key, resumed.Fleet.Sensors[0].Key);
        Assert.Single(handler.Requests, r => r.Body!.Contains("-0001\""));
    }

    [Fact]
    public async Task A_refusal_that_retrying_cannot_fix_stops_the_simulator_with_the_registrys_words()
    {
        var handler = Registry(_ => FakeHttpHandler.Problem(HttpStatusCode.BadRequest, "Validation", "A tag has at most 200 characters."));

        var error = await Assert.ThrowsAsync<SimulatorException>(() => Provisioner(handler).EnsureFleetAsync(CancellationToken.None));

        Assert.Contains("A tag has at most 200 characters.", error.Message);
    }

    private HttpResponseMessage Created(string body)
    {
        var tag = JsonDocument.Parse(body).RootElement.GetProperty("tag").GetString();
        var id = Interlocked.Increment(ref _nextId);
        return FakeHttpHandler.Answer(HttpStatusCode.Created, $$"""{"id":{{id}},"tag":"{{tag}}","key":"s360s_{{id}}"}""");
    }

    private static FakeHttpHandler Registry(Func<string, HttpResponseMessage> respond) => new((_, body) => respond(body!));

    private FleetProvisioner Provisioner(FakeHttpHandler handler) => new(
        new RegistryClient(new FakeHttpClientFactory(handler), Wrap(_options)), _store, _state, Wrap(_options), _time,
        NullLogger<FleetProvisioner>.Instance);
}
