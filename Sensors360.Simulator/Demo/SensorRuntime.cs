using Sensors360.Simulator.Behaviour;
using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator.Demo;

/// <summary>A registered sensor while the simulator runs: its script plus what the API made of it.</summary>
public sealed class SensorRuntime(SensorBehavior behavior)
{
    private volatile bool _stopped;

    public SensorBehavior Behavior => behavior;

    public SimulatedSensor Sensor => behavior.Sensor;

    public long Id => Sensor.Id ?? throw new InvalidOperationException($"Sensor {Sensor.Tag} is not registered.");

    public string Key => Sensor.Key ?? throw new InvalidOperationException($"Sensor {Sensor.Tag} is not registered.");

    public bool Stopped => _stopped;

    /// <summary>503s in a row, for the back-off when the API gives no Retry-After.</summary>
    internal int ConsecutiveUnavailable { get; set; }

    /// <returns>True the first time only.</returns>
    public bool Stop()
    {
        var wasStopped = _stopped;
        _stopped = true;
        return !wasStopped;
    }

    public SensorPhase PhaseAt(DateTimeOffset time) => _stopped ? SensorPhase.Stopped : behavior.PhaseAt(time);
}

/// <summary>The fleet being simulated, with one runtime per registered sensor.</summary>
public sealed record ActiveFleet(SimulatedFleet Fleet, IReadOnlyList<SensorRuntime> Sensors)
{
    public static ActiveFleet Start(SimulatedFleet fleet, SimulatorOptions options) => new(
        fleet,
        fleet.Sensors.Where(s => s.IsRegistered).Select(s => new SensorRuntime(new SensorBehavior(s, fleet, options))).ToArray());
}
