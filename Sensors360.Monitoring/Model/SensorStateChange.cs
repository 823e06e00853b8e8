namespace Sensors360.Monitoring.Model;

/// <summary>One flip of a sensor's state: the history behind uptime and the operators' feed.</summary>
public sealed class SensorStateChange
{
    public long Id { get; set; }

    public long SensorId { get; set; }

    public SensorState FromState { get; set; }

    public SensorState ToState { get; set; }

    public DateTimeOffset At { get; set; }
}
