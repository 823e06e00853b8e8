namespace Sensors360.Simulator.Demo;

/// <summary>What the status line reports: the fleet being simulated, or what the simulator is doing before it has one.</summary>
public sealed class SimulatorState
{
    private volatile ActiveFleet? _fleet;
    private volatile string _activity = "starting";

    public ActiveFleet? Fleet
    {
        get => _fleet;
        set => _fleet = value;
    }

    public string Activity
    {
        get => _activity;
        set => _activity = value;
    }
}
