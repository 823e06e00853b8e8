namespace Sensors360.Simulator.Behaviour;

/// <summary>Where a simulated sensor is in its script at a given moment.</summary>
public enum SensorPhase
{
    Alive,
    Degrading,
    FlappingSilent,
    Dead,

    /// <summary>The ingestion API refused its key for good (403): retired, or the key belongs to another sensor.</summary>
    Stopped,
}
