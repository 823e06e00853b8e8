namespace Sensors360.Monitoring.Model;

/// <summary>
/// The table that holds a <see cref="Sensor"/>'s state and heartbeat bookkeeping (state, first/last heartbeat, count,
/// deadlines), keyed by <c>sensor_id</c>; <c>sensor_status</c> is the view of both tables that readers query.
/// </summary>
public static class SensorLiveness
{
    public const string Table = "sensor_liveness";
}
