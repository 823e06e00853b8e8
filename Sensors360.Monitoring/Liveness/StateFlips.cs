namespace Sensors360.Monitoring.Liveness;

/// <summary>
/// How a statement that changes sensors' states records what it changed: a <c>sensor_state_changes</c> row and a
/// <c>SensorStateChanged</c> outbox event per flip, in the same statement (so the same transaction) as the change.
/// </summary>
public static class StateFlips
{
    /// <summary>
    /// CTEs to append after a CTE named <c>updated</c> returning (sensor_id, from_state, to_state, at,
    /// last_heartbeat_at) for every sensor it touched; defines <c>events</c>, one row per flip recorded.
    /// </summary>
    public const string Record = """
        , flips AS (
            INSERT INTO sensor_state_changes (sensor_id, from_state, to_state, at)
            SELECT sensor_id, from_state, to_state, at FROM updated WHERE from_state <> to_state
        ), events AS (
            INSERT INTO outbox_messages (message_type, payload)
            SELECT 'SensorStateChanged', jsonb_build_object(
                'sensorId', u.sensor_id, 'tag', s.tag, 'from', u.from_state, 'to', u.to_state,
                'at', u.at, 'lastHeartbeatAt', u.last_heartbeat_at, 'labels', s.labels)
            FROM updated u JOIN sensors s ON s.id = u.sensor_id
            WHERE u.from_state <> u.to_state
            ORDER BY u.at, u.sensor_id
            RETURNING 1
        )
        """;
}
