
namespace Sensors360.Simulator.Tests;

public sealed class FleetStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FleetStore _store;

    public FleetStoreTests()
    {
        _store = new FleetStore(TestFleets.Wrap(TestFleets.Options(o => o.DataDirectory = Path.Combine(_temp.Path, "data", "simulator"))),
            NullLogger<FleetStore>.Instance);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_saved_fleet_loads_back_identically()
    {
        var planned = FleetPlanner.Create(TestFleets.Options(o => o.SensorCount = 50), "abc123", seed: 9, TestFleets.CreatedAt);
        var fleet = planned with
        {
            Sensors = planned.Sensors.Select((s, i) => i % 2 == 0
                ? s with { Id = 500 + i, Key = $"s360s_k{i}", RegisteredAt = TestFleets.CreatedAt.AddSeconds(i) }
                : s).ToArray(),
        };

        _store.Save(fleet);
        var loaded = _store.Load();

        Assert.NotNull(loaded);
        Assert.Equal(("abc123", 9, TestFleets.CreatedAt, SimulatedFleet.CurrentVersion), (loaded.FleetId, loaded.Seed, loaded.CreatedAt, loaded.Version));
        Assert.Equal(fleet.Sensors.Count, loaded.Sensors.Count);
        foreach (var (expected, actual) in fleet.Sensors.Zip(loaded.Sensors))
        {
            Assert.Equal(expected with { Labels = actual.Labels }, actual);
            Assert.Equal(expected.Labels, actual.Labels);
        }
    }

    [Fact]
    public void The_file_names_fates_in_lower_case_and_keeps_the_keys()
    {
        _store.Save(TestFleets.FleetOf(TestFleets.Sensor(SensorFate.Degrade, degradeStart: TestFleets.CreatedAt, deathAt: TestFleets.CreatedAt.AddHours(3))));

        var json = File.ReadAllText(_store.FilePath);

        Assert.Contains("\"fate\": \"degrade\"", json);
        Assert.Contains("\"key\": \"s360s_key1\"", json);
        Assert.Contains("\"fleetId\": \"test01\"", json);
    }

    [Fact]
    public void The_fleet_file_and_its_directory_are_accessible_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        _store.EnsureDirectory();
        File.WriteAllText(_store.FilePath + ".tmp", "left over by a crash");
        File.SetUnixFileMode(_store.FilePath + ".tmp", everyone);

        _store.Save(TestFleets.FleetOf(TestFleets.Sensor()));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_store.DataDirectory));
        Assert.False(File.Exists(_store.FilePath + ".tmp"));

        // Saving again replaces a file whose mode was loosened meanwhile.
        File.SetUnixFileMode(_store.FilePath, everyone);
        _store.Save(TestFleets.FleetOf(TestFleets.Sensor()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.FilePath));
    }

    [Fact]
    public void A_missing_or_unreadable_file_means_no_fleet()
    {
        Assert.Null(_store.Load());

        _store.EnsureDirectory();
        File.WriteAllText(_store.FilePath, "{ not json");
        Assert.Null(_store.Load());

        File.WriteAllText(_store.FilePath, """{"version":99,"fleetId":"x","seed":1,"createdAt":"2026-11-28T10:00:00Z","sensors":[]}""");
        Assert.Null(_store.Load());
    }

    [Fact]
    public void A_discarded_fleet_is_gone()
    {
        _store.Save(TestFleets.FleetOf(TestFleets.Sensor()));
        Assert.NotNull(_store.Load());

        _store.Delete();

        Assert.Null(_store.Load());
    }

    [Fact]
    public void The_data_directory_is_resolved_against_the_current_directory()
    {
        var store = new FleetStore(TestFleets.Wrap(TestFleets.Options()), NullLogger<FleetStore>.Instance);

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, ".data", "simulator", "fleet.json"), store.FilePath);
    }
}
