using Microsoft.Extensions.Options;
using Sensors360.Simulator.Behaviour;

namespace Sensors360.Simulator.Tests.Support;

internal static class TestFleets
{
    public static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public static SimulatorOptions Options(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions { RegistryUrl = "http://registry.test", IngestionUrl = "http://ingestion.test" };
        configure?.Invoke(options);
        return options;
    }

    public static IOptions<SimulatorOptions> Wrap(SimulatorOptions options) => Microsoft.Extensions.Options.Options.Create(options);

    /// <summary>A registered sensor with the given script, in a one-sensor fleet.</summary>
    public static SimulatedSensor Sensor(
        SensorFate fate = SensorFate.Healthy, int intervalSeconds = 10, DateTimeOffset? degradeStart = null, DateTimeOffset? deathAt = null,
        int number = 1, DateTimeOffset? registeredAt = null) =>
        new(number, $"sim-test01-{number:0000}", new Dictionary<string, string> { ["site"] = "north", ["kind"] = "pump" },
            intervalSeconds, fate, degradeStart, deathAt, Id: 1000 + number, Key: $"s360s_key{number}", RegisteredAt: registeredAt ?? CreatedAt);

    public static SimulatedFleet FleetOf(params SimulatedSensor[] sensors) => new("test01", 42, CreatedAt, sensors);

    public static SensorBehavior Behavior(SimulatedSensor sensor, SimulatorOptions? options = null) =>
        new(sensor, FleetOf(sensor), options ?? Options());

    /// <summary>Every beat from <paramref name="from"/> to <paramref name="until"/>, each sent as soon as it is due.</summary>
    public static List<DateTimeOffset> Beats(SensorBehavior behavior, DateTimeOffset from, DateTimeOffset until)
    {
        var beats = new List<DateTimeOffset>();
        var next = behavior.FirstBeat(from);
        while (next is { } beat && beat < until)
        {
            beats.Add(beat);
            next = behavior.NextBeat(beat);
        }

        return beats;
    }
}
