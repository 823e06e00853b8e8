using System.Collections.Concurrent;
using System.Net.WebSockets;
using Sensors360.Contracts;

namespace Realtime.Gateway.Realtime;

/// <summary>
/// This gateway instance's WebSocket clients: fans the bus's status events out to all of them (serialised once),
/// remembers the latest snapshot for newcomers, and routes live heartbeats to the clients that follow a sensor.
/// Closes a user's connections when an Admin revokes the user's access (<see cref="Identity.AccessRevocations"/>).
/// </summary>
public sealed class RealtimeHub
{

    readonly ConcurrentDictionary<Guid, ClientConnection> connections = new();
    readonly ConcurrentDictionary<long, int> followers = new();
    byte[]? latestSnapshot;

    public int ConnectionCount => connections.Count;
    public bool HasFollowers => !followers.IsEmpty;
    public byte[]? LatestSnapshot => Volatile.Read(ref latestSnapshot);

    /// <summary>
    /// Raised when the last follower of the last followed sensor leaves (a subscriber binds the tap itself, and waits
    /// for it, before it is told "subscribed").
    /// </summary>
    public event Action? FollowersChanged;

    public void Add(ClientConnection connection) => connections[connection.Id] = connection;

    public void Remove(ClientConnection connection)
    {
        if (connections.TryRemove(connection.Id, out _))
        {
            foreach (var sensorId in connection.Subscriptions())
            {
                Unfollow(sensorId);
            }
        }
    }

    public void PublishSnapshot(SensorStatusSnapshot snapshot)
    {
        var frame = ServerFrames.Create(ServerFrames.Snapshot, snapshot);
        Volatile.Write(ref latestSnapshot, frame);
        foreach (var connection in connections.Values)
        {
            connection.EnqueueSnapshot(frame);
        }
    }

    /// <summary>Keeps <paramref name="snapshot"/> for newcomers unless the bus delivered one meanwhile.</summary>
    public void RememberSnapshot(SensorStatusSnapshot snapshot) =>
        Interlocked.CompareExchange(ref latestSnapshot, ServerFrames.Create(ServerFrames.Snapshot, snapshot), null);

    public void Broadcast<T>(string type, T data)
    {
        var frame = ServerFrames.Create(type, data);
        foreach (var connection in connections.Values)
        {
            connection.Enqueue(frame);
        }
    }

    public void DeliverHeartbeats(IReadOnlyList<Heartbeat> heartbeats)
    {
        if (followers.IsEmpty)
        {
            return;
        }
        foreach (var heartbeat in heartbeats)
        {
            if (!followers.ContainsKey(heartbeat.SensorId))
            {
                continue;
            }
            var frame = ServerFrames.Create(ServerFrames.Heartbeat, heartbeat);
            foreach (var connection in connections.Values)
            {
                if (connection.IsSubscribed(heartbeat.SensorId))
                {
                    connection.Enqueue(frame);
                }
            }
        }
    }

    public void Follow(long sensorId) => followers.AddOrUpdate(sensorId, 1, (_, count) => count + 1);

    public void Unfollow(long sensorId)
    {
        while (followers.TryGetValue(sensorId, out var count))
        {
            var updated = count > 1
                ? followers.TryUpdate(sensorId, count - 1, count)
                : followers.TryRemove(new KeyValuePair<long, int>(sensorId, count));
            if (updated)
            {
                break;
            }
        }
        if (followers.IsEmpty)
        {
            FollowersChanged?.Invoke();
        }
    }

    /// <summary>
    /// Closes the user's connections with 1008 (policy violation) and <paramref name="reason"/>: their credentials no
    /// longer hold, and a client that reconnects with them is refused.
    /// </summary>
    public void CloseUser(string userId, string reason)
    {
        foreach (var connection in connections.Values)
        {
            if (connection.UserId == userId)
            {
                connection.Close(WebSocketCloseStatus.PolicyViolation, reason);
            }
        }
    }

    /// <summary>Closes every client with 1001 (going away), e.g. when this instance stops; they reconnect elsewhere.</summary>
    public void CloseAll()
    {
        foreach (var connection in connections.Values)
        {
            connection.Close(WebSocketCloseStatus.EndpointUnavailable, "server stopping");
        }
    }
}
