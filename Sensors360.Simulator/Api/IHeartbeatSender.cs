namespace Sensors360.Simulator.Api;

/// <summary>Sends one sensor's heartbeat and says how it was answered. Never throws except on cancellation.</summary>
/// <remarks>The transport only: what an answer means for the sensor is <see cref="Demo.HeartbeatScheduler"/>'s to decide.</remarks>
public interface IHeartbeatSender
{
    Task<HeartbeatOutcome> SendAsync(long sensorId, string key, DateTimeOffset now, CancellationToken cancellationToken);
}
